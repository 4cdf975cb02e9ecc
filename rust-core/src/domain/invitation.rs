//! Invitations to join a session: technicians (S1–S7) and external users (X1–X6).
use super::ids::{
    ApprovedExternalId, InvitationId, IssueId, PolicyId, SessionId, TeamId, TechnicianId, Timestamp,
};
use serde::{Deserialize, Serialize};

/// How long an external invitation may wait to be redeemed: two hours, or less if the session ends
/// first. Internal invitations never time out while the inviter remains owner (S6).
pub const EXTERNAL_INVITATION_LIFETIME_MS: u64 = 2 * 60 * 60 * 1000;

/// Who an external invitation is for (X6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExternalInvitee {
    /// Anyone: a name, and an e-mail address if the appliance or the technician mails the link.
    Anyone {
        /// The name shown in chat and reports (X2).
        name: String,
        /// Where the invitation is mailed, if it is.
        email: Option<String>,
    },
    /// A person approved by administrators.
    Approved(ApprovedExternalId),
}

/// Who an invitation goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Invitee {
    /// One technician, chosen by team then member (S1).
    Technician(TechnicianId),
    /// Any single member of a team: the invitation waits in the team queue (S2).
    AnyRepresentative(TeamId),
    /// Request Help: routed to the team of a support issue (S1).
    HelpRequest {
        /// The issue chosen.
        issue: IssueId,
        /// Its team at the time of the request.
        team: TeamId,
    },
    /// An external user with no account (X1).
    External {
        /// Who.
        invitee: ExternalInvitee,
        /// The security policy chosen (X2).
        policy: PolicyId,
        /// Why they are invited (X2).
        comments: String,
        /// The one-time link stops working after this (2 hours).
        expires_at: Timestamp,
    },
}

/// Why an invitation is no longer active (S7, X5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationEnd {
    /// The inviter cancelled it (S5).
    Cancelled,
    /// The inviter left the session.
    InviterLeft,
    /// The inviter transferred or held the session, so is no longer owner.
    InviterNoLongerOwner,
    /// The session ended.
    SessionEnded,
    /// The invited user accepted it (an external user: redeemed the link).
    Accepted,
    /// A technician of the invited team took it: an invitation to any representative or a help
    /// request, which the first to accept takes (S2, S3); the others are told who.
    TakenBy(super::ids::TechnicianId),
    /// The invited user declined it.
    Declined,
    /// The invited technician's account was disabled (ours, G1).
    InviteeDisabled,
}

/// The state of an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationState {
    /// It can still be accepted.
    Active,
    /// It can no longer be accepted, and why.
    Ended(InvitationEnd),
}

/// An invitation to join a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// The session it is for.
    pub session: SessionId,
    /// Who sent it: the session owner at the time (S6).
    pub inviter: TechnicianId,
    /// Who it is for.
    pub invitee: Invitee,
    /// Its state.
    pub state: InvitationState,
    /// When it was sent.
    pub sent_at: Timestamp,
}

impl Invitation {
    /// Whether it can still be accepted at this time.
    #[must_use]
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.state == InvitationState::Active && !self.is_expired(now)
    }

    /// Whether an external link has passed its two hours.
    #[must_use]
    pub fn is_expired(&self, now: Timestamp) -> bool {
        matches!(&self.invitee, Invitee::External { expires_at, .. } if now >= *expires_at)
    }

    /// The team whose members may accept it, for Any Representative and Request Help.
    #[must_use]
    pub fn team(&self) -> Option<TeamId> {
        match &self.invitee {
            Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => Some(*team),
            _ => None,
        }
    }
}
