//! What happened. Commands are checked against the state and produce events; applying events is
//! the only way state changes, so a denied command changes nothing and the appliance can persist
//! and forward exactly what happened.
use super::command::Participant;
use super::ids::{
    InvitationId, JumpClientId, SessionId, SupportButtonId, TeamId, TechnicianId, Timestamp,
};
use super::invitation::{Invitation, InvitationEnd};
use super::org::{
    ApprovedExternal, ButtonProfile, JumpGroup, SecurityPolicy, Settings, SupportIssue, Team,
    Technician,
};
use super::permission::{PermissionGrant, PermissionKey};
use super::session::{
    ClientMode, CustomerInfo, ExternalMember, JumpClient, PendingPrompt, Platform, PromptKind,
    QueueRef, ScreenState, SupportButton,
};
use serde::{Deserialize, Serialize};

/// Why someone left a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeaveReason {
    /// They chose to (C3).
    Left,
    /// The owner removed them (M1).
    Removed,
    /// The technician who invited them left (X5).
    InviterLeft,
    /// The owner ended the session (C1).
    SessionEnded,
    /// The owner held the session and their view closed (C2).
    Held,
    /// An administrator disabled their account (ours, G1).
    AccountDisabled,
}

/// Why a session went back to a queue without an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReleaseReason {
    /// Transferred to a team or a technician's personal queue (T1, T2).
    Transferred,
    /// Held in the owner's personal queue (C2).
    Held,
    /// The owner's account was disabled: back to the team queue it last waited in (ours, G1).
    OwnerDisabled,
}

/// Something that happened.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    LoggedInChanged {
        technician: TechnicianId,
        logged_in: bool,
    },
    ExtendedAvailabilityChanged {
        technician: TechnicianId,
        on: bool,
    },

    SessionStarted {
        session: SessionId,
        queue: QueueRef,
        customer: CustomerInfo,
        chat_enabled: bool,
        at: Timestamp,
        /// The jump client the session runs through, for unattended sessions (J1).
        #[serde(default)]
        jump_client: Option<JumpClientId>,
        /// The support button whose press started it (B1), if any.
        #[serde(default)]
        button: Option<SupportButtonId>,
    },
    /// A technician took the session from its queue and owns it now.
    SessionAccepted {
        session: SessionId,
        owner: TechnicianId,
    },
    /// The owner gave up ownership; the session waits in a queue (T1–T3, C2).
    SessionReleased {
        session: SessionId,
        queue: QueueRef,
        former_owner: TechnicianId,
        reason: ReleaseReason,
    },
    /// C1: everyone is out; the customer client uninstalls itself. Jump clients stay (J1).
    SessionEnded {
        session: SessionId,
        uninstall_customer_client: bool,
    },

    ChatPosted {
        session: SessionId,
        from: Participant,
        text: String,
        at: Timestamp,
    },
    ChatToggled {
        session: SessionId,
        enabled: bool,
    },
    ChatPinned {
        session: SessionId,
        technician: TechnicianId,
        pinned: bool,
    },
    ScreenChanged {
        session: SessionId,
        screen: ScreenState,
    },
    ShellChanged {
        session: SessionId,
        open: bool,
    },
    SystemInfoViewed {
        session: SessionId,
        by: Participant,
    },
    /// A question for the customer (or the customer client) is waiting.
    PromptRaised {
        session: SessionId,
        prompt: PromptKind,
        pending: PendingPrompt,
    },
    PromptAnswered {
        session: SessionId,
        prompt: PromptKind,
        accepted: bool,
    },
    /// The session's customer client changed mode (E1, E2).
    ClientModeChanged {
        session: SessionId,
        mode: ClientMode,
    },
    /// The full client took over a click-to-chat session on this computer (E1).
    FullClientStarted {
        session: SessionId,
        machine: String,
        platform: Platform,
    },
    /// E3: screen sharing started on a client that could be elevated; offer Elevate.
    ElevationSuggested {
        session: SessionId,
    },
    /// The customer has allowed every tool for the session (G3, ask once for all).
    CustomerAllowedAll {
        session: SessionId,
    },

    /// An invitation went out. `email` names where a notification should be mailed (S4, X3).
    InvitationSent {
        invitation: Invitation,
        email: Option<String>,
    },
    InvitationEnded {
        invitation: InvitationId,
        why: InvitationEnd,
    },

    TechnicianJoined {
        session: SessionId,
        technician: TechnicianId,
    },
    ExternalJoined {
        session: SessionId,
        external: ExternalMember,
    },
    /// A technician or external user left the session (the customer disconnects instead).
    MemberLeft {
        session: SessionId,
        member: Participant,
        why: LeaveReason,
    },
    /// M1: the customer connection ended; the technicians keep the session.
    CustomerDisconnected {
        session: SessionId,
        /// Removed, left, or lost (events stored before this field read as removed).
        #[serde(default)]
        why: super::session::CustomerGone,
    },
    /// The customer client's connection dropped (its last event socket closed, or went silent):
    /// the session waits for it until `until`; its tools are greyed meanwhile (A3).
    CustomerConnectionLost {
        session: SessionId,
        until: Timestamp,
    },
    /// The customer client is back within the wait.
    CustomerReconnected {
        session: SessionId,
    },
    /// A second customer client joined the session with its credential while one was connected
    /// (a copy started again, or one holding the session's key): the screen and shell come from
    /// the newest. Told to the session's technicians (issue 26); changes nothing.
    CustomerClientStartedAgain {
        session: SessionId,
    },
    /// The e-mail an invitation was to send (S4, X3) could not be sent, even after retrying:
    /// told to the technician whose invitation it was, and to nobody else.
    MailNotSent {
        technician: TechnicianId,
        invitation: InvitationId,
        /// Why, in words (never the message or the address).
        reason: String,
    },

    SupportButtonDeployed {
        session: SessionId,
        button: SupportButton,
    },
    SupportButtonRemoved {
        session: SessionId,
        button: SupportButtonId,
    },
    JumpClientPinned {
        session: SessionId,
        jump_client: JumpClient,
    },
    JumpClientUnpinned {
        session: SessionId,
        jump_client: JumpClientId,
    },

    TeamCreated {
        team: Team,
    },
    /// A team moved under another (or to the top), with everything below it (G2).
    TeamMoved {
        team: TeamId,
        parent: Option<TeamId>,
    },
    TeamUpdated {
        team: TeamId,
        name: String,
        description: String,
        enabled: bool,
    },
    PermissionChanged {
        team: TeamId,
        grant: PermissionGrant,
    },
    PermissionLockChanged {
        team: TeamId,
        key: PermissionKey,
        locked: bool,
    },
    SecondFactorRequirementChanged {
        team: TeamId,
        required: bool,
    },
    TechnicianCreated {
        technician: Technician,
    },
    TeamMembershipChanged {
        team: TeamId,
        technician: TechnicianId,
        member: bool,
    },
    /// An account was disabled or enabled again; disabled, every sign-in of it ended.
    TechnicianEnabledChanged {
        technician: TechnicianId,
        enabled: bool,
    },
    /// An account's password was replaced; every sign-in of it ended.
    PasswordReset {
        technician: TechnicianId,
    },
    /// Every sign-in of an account ended.
    TechnicianSignedOut {
        technician: TechnicianId,
    },
    SecurityPolicyCreated {
        policy: SecurityPolicy,
    },
    SupportIssueCreated {
        issue: SupportIssue,
    },
    ApprovedExternalAdded {
        person: ApprovedExternal,
    },
    JumpGroupCreated {
        group: JumpGroup,
    },
    ButtonProfileCreated {
        profile: ButtonProfile,
    },
    SettingsChanged {
        settings: Settings,
    },
}

impl Event {
    /// The session this event concerns, if any. Invitation endings name only the invitation;
    /// `state` resolves its session.
    #[must_use]
    pub fn session(&self, state: &super::state::State) -> Option<SessionId> {
        use Event as E;
        match self {
            E::SessionStarted { session, .. }
            | E::SessionAccepted { session, .. }
            | E::SessionReleased { session, .. }
            | E::SessionEnded { session, .. }
            | E::ChatPosted { session, .. }
            | E::ChatToggled { session, .. }
            | E::ChatPinned { session, .. }
            | E::ScreenChanged { session, .. }
            | E::ShellChanged { session, .. }
            | E::SystemInfoViewed { session, .. }
            | E::PromptRaised { session, .. }
            | E::PromptAnswered { session, .. }
            | E::ClientModeChanged { session, .. }
            | E::FullClientStarted { session, .. }
            | E::ElevationSuggested { session }
            | E::CustomerAllowedAll { session }
            | E::TechnicianJoined { session, .. }
            | E::ExternalJoined { session, .. }
            | E::MemberLeft { session, .. }
            | E::CustomerDisconnected { session, .. }
            | E::CustomerConnectionLost { session, .. }
            | E::CustomerReconnected { session }
            | E::CustomerClientStartedAgain { session }
            | E::SupportButtonDeployed { session, .. }
            | E::SupportButtonRemoved { session, .. }
            | E::JumpClientPinned { session, .. }
            | E::JumpClientUnpinned { session, .. } => Some(*session),
            E::InvitationSent { invitation, .. } => Some(invitation.session),
            E::InvitationEnded { invitation, .. } => {
                state.invitations.get(invitation).map(|i| i.session)
            }
            _ => None,
        }
    }
}
