//! What a technician's console may hold: the organisation, and the sessions and invitations that
//! concern them. The appliance filters its state with this before sending it; the console uses
//! the same test to drop what no longer concerns it, so the two never disagree.
use super::ids::TechnicianId;
use super::invitation::{Invitation, Invitee};
use super::session::{QueueRef, Session, SessionStatus};
use super::state::State;

impl State {
    /// A technician sees a live session they are in, or one waiting in a queue they can take
    /// sessions from (a disabled team's queue is nobody's: G2).
    #[must_use]
    pub fn sees_session(&self, technician: TechnicianId, session: &Session) -> bool {
        session.is_live()
            && (session.has_technician(technician)
                || match session.status {
                    SessionStatus::Queued(QueueRef::Personal(t)) => t == technician,
                    SessionStatus::Queued(QueueRef::Team(team)) => {
                        self.is_member_of_enabled(technician, team)
                    }
                    _ => false,
                })
    }

    /// Whether a technician belongs to a team that is enabled, with every team above it (G2).
    fn is_member_of_enabled(&self, technician: TechnicianId, team: super::ids::TeamId) -> bool {
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
        invitation.inviter == technician
            || match &invitation.invitee {
                Invitee::Technician(t) => *t == technician,
                Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => {
                    self.is_member_of_enabled(technician, *team)
                }
                Invitee::External { .. } => false,
            }
    }

    /// The state as a technician's console holds it: everything about the organisation, and
    /// only the sessions and invitations that concern them. The console keeps it current by
    /// applying the events it receives, and greys out actions with [`State::available_actions`]
    /// on it: the same checks the appliance makes.
    #[must_use]
    pub fn view_for(&self, technician: TechnicianId) -> State {
        let mut view = self.clone();
        view.sessions
            .retain(|_, s| self.sees_session(technician, s));
        view.invitations
            .retain(|_, i| self.sees_invitation(technician, i));
        view.hide_machines_from(technician);
        view
    }

    /// A computer's id is for the technicians who may act on it: the users of a jump client
    /// (J1) and whoever deployed a support button (B1). Others see the entries (the rules check
    /// them), without the id.
    fn hide_machines_from(&mut self, technician: TechnicianId) {
        let usable: Vec<_> = self
            .jump_clients
            .values()
            .filter(|j| self.may_use_jump_location(technician, j.location))
            .map(|j| j.id)
            .collect();
        for j in self.jump_clients.values_mut() {
            if !usable.contains(&j.id) {
                j.machine.clear();
            }
        }
        for b in self.support_buttons.values_mut() {
            if b.deployed_by != technician {
                b.machine.clear();
            }
        }
    }

    /// Drop what no longer concerns the technician, after applying an event to their view.
    pub fn prune_for(&mut self, technician: TechnicianId) {
        let keep: Vec<_> = self
            .sessions
            .values()
            .filter(|s| self.sees_session(technician, s))
            .map(|s| s.id)
            .collect();
        self.sessions.retain(|id, _| keep.contains(id));
        let invitations: Vec<_> = self
            .invitations
            .values()
            .filter(|i| self.sees_invitation(technician, i))
            .map(|i| i.id)
            .collect();
        self.invitations.retain(|id, _| invitations.contains(id));
        self.hide_machines_from(technician);
    }
}
