//! What a technician's console may hold: the organisation, and the sessions and invitations that
//! concern them. The appliance filters its state with this before sending it; the console uses
//! the same test to drop what no longer concerns it, so the two never disagree.
use super::ids::{PolicyId, TeamId, TechnicianId};
use super::invitation::{Invitation, Invitee};
use super::session::{QueueRef, Session, SessionStatus};
use super::state::State;
use std::collections::BTreeSet;

impl State {
    /// A technician sees a live session they are in, or one waiting in a queue they can take
    /// sessions from (a disabled team's queue is nobody's: G2).
    #[must_use]
    pub fn sees_session(&self, technician: TechnicianId, session: &Session) -> bool {
        sees_session_in(technician, session, |team| {
            self.is_member_of_enabled(technician, team)
        })
    }

    /// The teams whose queues and invitations a technician sees: those they belong to that are
    /// enabled (G2). Found once for a whole view, rather than once per session in it.
    fn teams_seen_by(&self, technician: TechnicianId) -> BTreeSet<TeamId> {
        self.teams
            .keys()
            .copied()
            .filter(|team| self.is_member_of_enabled(technician, *team))
            .collect()
    }

    /// Every technician who sees a session ([`State::sees_session`]), found from the session
    /// and its queue's team rather than by asking each technician: the cost follows the
    /// session's audience, not the organisation's size (issue 14).
    #[must_use]
    pub fn technicians_seeing_session(&self, session: &Session) -> BTreeSet<TechnicianId> {
        if !session.is_live() {
            return BTreeSet::new();
        }
        let queue = match session.status {
            SessionStatus::Queued(QueueRef::Personal(t)) => vec![t],
            SessionStatus::Queued(QueueRef::Team(team)) => self.members_of(team),
            _ => Vec::new(),
        };
        session
            .owner
            .into_iter()
            .chain(session.members.iter().copied())
            .chain(queue)
            .filter(|t| self.technicians.contains_key(t) && self.sees_session(*t, session))
            .collect()
    }

    /// Every technician who sees an invitation ([`State::sees_invitation`]), found from the
    /// invitation and its team.
    #[must_use]
    pub fn technicians_seeing_invitation(&self, invitation: &Invitation) -> BTreeSet<TechnicianId> {
        let invitees = match &invitation.invitee {
            Invitee::Technician(t) => vec![*t],
            Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => {
                self.members_of(*team)
            }
            Invitee::External { .. } => Vec::new(),
        };
        std::iter::once(invitation.inviter)
            .chain(invitees)
            .filter(|t| self.technicians.contains_key(t) && self.sees_invitation(*t, invitation))
            .collect()
    }

    fn members_of(&self, team: TeamId) -> Vec<TechnicianId> {
        self.teams
            .get(&team)
            .map(|t| t.members.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether a technician belongs to a team that is enabled, with every team above it (G2).
    fn is_member_of_enabled(&self, technician: TechnicianId, team: TeamId) -> bool {
        self.team_enabled(team)
            && self
                .teams
                .get(&team)
                .is_some_and(|t| t.members.contains(&technician))
    }

    /// A technician sees the invitations they sent and those addressed to them (directly, or to
    /// a team of theirs).
    #[must_use]
    pub fn sees_invitation(&self, technician: TechnicianId, invitation: &Invitation) -> bool {
        sees_invitation_in(technician, invitation, |team| {
            self.is_member_of_enabled(technician, team)
        })
    }

    /// The state as a technician's console holds it: everything about the organisation, and
    /// only the sessions and invitations that concern them. The console keeps it current by
    /// applying the events it receives, and greys out actions with [`State::available_actions`]
    /// on it: the same checks the appliance makes.
    #[must_use]
    pub fn view_for(&self, technician: TechnicianId) -> State {
        let mut view = self.clone();
        // Built from what they see rather than trimmed from everything: the persistent maps
        // share the entries. The technician's teams are found once, so each session costs a
        // few comparisons (issue 14: a console's snapshot at 10,000 live sessions).
        let teams = self.teams_seen_by(technician);
        let in_team = |team: TeamId| teams.contains(&team);
        view.sessions = self
            .sessions
            .values()
            .filter(|s| sees_session_in(technician, s, in_team))
            .map(|s| (s.id, s.clone()))
            .collect();
        view.invitations = self
            .invitations
            .values()
            .filter(|i| sees_invitation_in(technician, i, in_team))
            .map(|i| (i.id, i.clone()))
            .collect();
        // G1 (issue 26): the security policies that serve them, and those their sessions'
        // external users were invited under; a policy made for another branch is not theirs.
        let used: BTreeSet<PolicyId> = view
            .sessions
            .values()
            .flat_map(|s| s.externals.values().map(|m| m.policy))
            .collect();
        view.policies = self
            .policies
            .values()
            .filter(|p| used.contains(&p.id) || self.policy_serves(technician, p))
            .map(|p| (p.id, p.clone()))
            .collect();
        view.hide_machines_from(technician);
        view
    }

    /// A computer's id is for the technicians who may act on it: the users of a jump client
    /// (J1) and whoever deployed a support button (B1). Others see the entries (the rules check
    /// them), without the id.
    fn hide_machines_from(&mut self, technician: TechnicianId) {
        let hidden: Vec<_> = self
            .jump_clients
            .values()
            .filter(|j| !j.machine.is_empty())
            .filter(|j| !self.may_use_jump_location(technician, j.location))
            .map(|j| j.id)
            .collect();
        for id in hidden {
            if let Some(j) = self.jump_clients.get_mut(&id) {
                j.machine.clear();
            }
        }
        let hidden: Vec<_> = self
            .support_buttons
            .values()
            .filter(|b| b.deployed_by != technician && !b.machine.is_empty())
            .map(|b| b.id)
            .collect();
        for id in hidden {
            if let Some(b) = self.support_buttons.get_mut(&id) {
                b.machine.clear();
            }
        }
    }

    /// Drop what no longer concerns the technician, after applying an event to their view.
    pub fn prune_for(&mut self, technician: TechnicianId) {
        let teams = self.teams_seen_by(technician);
        let in_team = |team: TeamId| teams.contains(&team);
        let gone: Vec<_> = self
            .sessions
            .values()
            .filter(|s| !sees_session_in(technician, s, in_team))
            .map(|s| s.id)
            .collect();
        for id in gone {
            self.sessions.remove(&id);
        }
        let gone: Vec<_> = self
            .invitations
            .values()
            .filter(|i| !sees_invitation_in(technician, i, in_team))
            .map(|i| i.id)
            .collect();
        for id in gone {
            self.invitations.remove(&id);
        }
        self.hide_machines_from(technician);
    }
}

/// The rule of [`State::sees_session`], given whether the technician may take sessions from a
/// team's queue.
fn sees_session_in(
    technician: TechnicianId,
    session: &Session,
    in_team: impl Fn(TeamId) -> bool,
) -> bool {
    session.is_live()
        && (session.has_technician(technician)
            || match session.status {
                SessionStatus::Queued(QueueRef::Personal(t)) => t == technician,
                SessionStatus::Queued(QueueRef::Team(team)) => in_team(team),
                _ => false,
            })
}

/// The rule of [`State::sees_invitation`], given whether the technician may answer for a team.
fn sees_invitation_in(
    technician: TechnicianId,
    invitation: &Invitation,
    in_team: impl Fn(TeamId) -> bool,
) -> bool {
    invitation.inviter == technician
        || match &invitation.invitee {
            Invitee::Technician(t) => *t == technician,
            Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => in_team(*team),
            Invitee::External { .. } => false,
        }
}
