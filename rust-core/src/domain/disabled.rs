//! What disabling an account does to the sessions it is in (ours, G1: "every right ends
//! everywhere the moment it ends"). The account's sign-ins end with the same event; these are
//! the rights it had passed on, and the customers it was helping, who must not be left waiting
//! for someone who cannot come back.
use super::event::{Event, LeaveReason, ReleaseReason};
use super::ids::TechnicianId;
use super::invitation::{InvitationEnd, InvitationState, Invitee};
use super::session::{Participant, QueueRef, Session, SessionStatus};
use super::state::State;

impl State {
    /// The events that go with disabling `who`, before the account's own event:
    /// - a session it owns, or that waits in its personal queue, goes back to the queue of the
    ///   team it last waited in (if that team and every team above it is still enabled), or
    ///   else to the personal queue of a colleague who is in it; one nobody else can take ends
    ///   (C1), the customer is told, and jump clients stay (J1);
    /// - its invitations end (S7) and the external users it invited are logged out (X5);
    /// - it leaves the sessions it was a member of;
    /// - invitations to it end, so that their owners may invite someone else (S6).
    #[must_use]
    pub(super) fn account_disabled(&self, who: TechnicianId) -> Vec<Event> {
        let mut events = Vec::new();
        for s in self.sessions.values().filter(|s| s.is_live()) {
            let waits_for_them = s.status == SessionStatus::Queued(QueueRef::Personal(who));
            if s.owner == Some(who) || waits_for_them {
                match self.next_queue(s, who) {
                    Some(queue) => {
                        events.extend(self.release(s, who, queue, ReleaseReason::OwnerDisabled));
                        // Handed to their personal queue while they were in it as a member.
                        if s.members.contains(&who) {
                            events.push(Event::MemberLeft {
                                session: s.id,
                                member: Participant::Technician(who),
                                why: LeaveReason::AccountDisabled,
                            });
                        }
                    }
                    None => events.extend(self.end(s)),
                }
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

    /// Where a session of a disabled account waits next: its team's queue, which someone can
    /// see and take only while the team and those above it are enabled (G2); else a colleague
    /// in the session (the one who handed it over, after a transfer, T3).
    fn next_queue(&self, s: &Session, disabled: TechnicianId) -> Option<QueueRef> {
        let team = s.team.filter(|t| self.team_enabled(*t)).map(QueueRef::Team);
        team.or_else(|| {
            s.members
                .iter()
                .find(|m| **m != disabled && self.technicians.get(*m).is_some_and(|t| t.enabled))
                .map(|m| QueueRef::Personal(*m))
        })
    }
}
