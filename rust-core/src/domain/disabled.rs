//! What disabling an account does to the sessions it is in (ours, G1: "every right ends
//! everywhere the moment it ends"). The account's sign-ins end with the same event; these are
//! the rights it had passed on, and the customers it was helping, who must not be left waiting
//! for someone who cannot come back.
use super::event::{Event, LeaveReason, ReleaseReason};
use super::ids::TechnicianId;
use super::invitation::{InvitationEnd, InvitationState, Invitee};
use super::session::{QueueRef, Session, SessionStatus};
use super::state::State;

impl State {
    /// The events that go with disabling `who`, before the account's own event:
    /// - a session it owns, or that waits in its personal queue, goes back to the queue of the
    ///   team it last waited in (if that team still exists and is enabled) for a colleague to
    ///   take; one that never waited in a team's queue (it came to this technician alone, or
    ///   through their own jump client) ends (C1), the customer is told, and jump clients stay
    ///   (J1);
    /// - its invitations end (S7) and the external users it invited are logged out (X5);
    /// - it leaves the sessions it was a member of;
    /// - invitations to it end, so that their owners may invite someone else (S6).
    #[must_use]
    pub(super) fn account_disabled(&self, who: TechnicianId) -> Vec<Event> {
        let mut events = Vec::new();
        for s in self.sessions.values().filter(|s| s.is_live()) {
            let waits_for_them = s.status == SessionStatus::Queued(QueueRef::Personal(who));
            if s.owner == Some(who) || waits_for_them {
                events.extend(match self.fallback_team(s) {
                    Some(team) => {
                        self.release(s, who, QueueRef::Team(team), ReleaseReason::OwnerDisabled)
                    }
                    None => self.end(s),
                });
            } else if s.members.contains(&who) {
                events.extend(self.departure(s, who, LeaveReason::AccountDisabled));
            }
        }
        let already_ended: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::InvitationEnded { invitation, .. } => Some(*invitation),
                _ => None,
            })
            .collect();
        let to_them = self.invitations.values().filter(|i| {
            i.state == InvitationState::Active
                && i.invitee == Invitee::Technician(who)
                && !already_ended.contains(&i.id)
        });
        let to_them: Vec<_> = to_them
            .map(|i| Event::InvitationEnded {
                invitation: i.id,
                why: InvitationEnd::InviteeDisabled,
            })
            .collect();
        events.extend(to_them);
        events
    }

    fn fallback_team(&self, s: &Session) -> Option<super::ids::TeamId> {
        s.team
            .filter(|t| self.teams.get(t).is_some_and(|team| team.enabled))
    }
}
