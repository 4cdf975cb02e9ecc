//! Who may see which event. Consoles receive the events of the sessions they are in or could
//! take, invitations addressed to them, and the organisation directory; customers and external
//! users receive only their own session's events, never invitations (they carry addresses).
use crate::auth::Principal;
use tandem_core::domain::{
    Event, Invitee, Participant, QueueRef, SessionStatus, State, TechnicianId,
};

/// Whether `who` may see `event`, judged against the state after it was applied.
#[must_use]
pub fn visible(state: &State, who: Principal, event: &Event) -> bool {
    let session = event.session(state);
    match who {
        Principal::Technician(me) => {
            let Some(session) = session else {
                // The organisation: teams, colleagues and their presence, policies, issues.
                return true;
            };
            if let Event::InvitationSent { invitation, .. } = event {
                return invitation.inviter == me || addressed_to(state, &invitation.invitee, me);
            }
            if let Event::InvitationEnded { invitation, .. } = event {
                return state
                    .invitations
                    .get(invitation)
                    .is_some_and(|i| i.inviter == me || addressed_to(state, &i.invitee, me));
            }
            let Some(s) = state.sessions.get(&session) else {
                return false;
            };
            let names_me = matches!(event,
                Event::MemberLeft { member: Participant::Technician(t), .. } if *t == me)
                || matches!(event, Event::SessionReleased { former_owner, .. } if *former_owner == me);
            s.has_technician(me) || names_me || can_take(state, s.status, me)
        }
        Principal::Customer(mine) => {
            session == Some(mine)
                && !matches!(
                    event,
                    Event::InvitationSent { .. } | Event::InvitationEnded { .. }
                )
        }
        Principal::External(me) => {
            let Some(session) = session else { return false };
            let Some(s) = state.sessions.get(&session) else {
                return false;
            };
            // Their own departure (removed, inviter left, session ended) reaches them too.
            let inside = s.externals.contains_key(&me)
                || matches!(event, Event::MemberLeft { member: Participant::External(e), .. } if *e == me);
            inside
                && !matches!(
                    event,
                    Event::InvitationSent { .. } | Event::InvitationEnded { .. }
                )
        }
    }
}

fn addressed_to(state: &State, invitee: &Invitee, me: TechnicianId) -> bool {
    match invitee {
        Invitee::Technician(t) => *t == me,
        Invitee::AnyRepresentative(team) | Invitee::HelpRequest { team, .. } => state
            .teams
            .get(team)
            .is_some_and(|t| t.members.contains(&me)),
        Invitee::External { .. } => false,
    }
}

fn can_take(state: &State, status: SessionStatus, me: TechnicianId) -> bool {
    match status {
        SessionStatus::Queued(QueueRef::Personal(t)) => t == me,
        SessionStatus::Queued(QueueRef::Team(team)) => state
            .teams
            .get(&team)
            .is_some_and(|t| t.members.contains(&me)),
        _ => false,
    }
}
