//! Who may see which event. A technician sees the organisation, and the events of the sessions
//! and invitations their view holds ([`State::view_for`]), judged both before and after the
//! event, so the event that takes a session out of their view (someone else took it, it ended)
//! still reaches them. That audience is fixed when the event is committed and stored with it, so
//! a console resuming later gets exactly what it would have got live. Customers and external
//! users see only their own session's events, never invitations (they carry addresses).
use crate::auth::Principal;
use std::collections::BTreeSet;
use tandem_core::domain::{Event, Participant, SessionId, State, TechnicianId};

/// The technicians who may see an event in one state; `None` for organisation events, which
/// every technician sees. An event's audience is who sees it before or after it ([`either`]).
#[must_use]
pub fn seen_by(state: &State, event: &Event) -> Option<BTreeSet<TechnicianId>> {
    let technicians = state.technicians.keys().copied();
    match event {
        Event::InvitationSent { invitation, .. } => Some(
            technicians
                .filter(|t| state.sees_invitation(*t, invitation))
                .collect(),
        ),
        Event::InvitationEnded { invitation, .. } => {
            let invitation = state.invitations.get(invitation)?;
            Some(
                technicians
                    .filter(|t| state.sees_invitation(*t, invitation))
                    .collect(),
            )
        }
        _ => {
            let session = event.session(state)?;
            let s = state.sessions.get(&session);
            Some(
                technicians
                    .filter(|t| s.is_some_and(|s| state.sees_session(*t, s)) || names(event, *t))
                    .collect(),
            )
        }
    }
}

fn names(event: &Event, technician: TechnicianId) -> bool {
    matches!(event, Event::MemberLeft { member: Participant::Technician(t), .. } if *t == technician)
        || matches!(event, Event::SessionReleased { former_owner, .. } if *former_owner == technician)
}

/// Everyone in either audience; `None` (every technician) only when both are.
#[must_use]
pub fn either(
    a: Option<BTreeSet<TechnicianId>>,
    b: Option<BTreeSet<TechnicianId>>,
) -> Option<BTreeSet<TechnicianId>> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(
            a.unwrap_or_default()
                .union(&b.unwrap_or_default())
                .copied()
                .collect(),
        ),
    }
}

/// Whether `who` may see an event with this stored audience, in the current state.
#[must_use]
pub fn visible(
    state: &State,
    who: Principal,
    event: &Event,
    session: Option<SessionId>,
    audience: Option<&BTreeSet<TechnicianId>>,
) -> bool {
    let invitation = matches!(
        event,
        Event::InvitationSent { .. } | Event::InvitationEnded { .. }
    );
    match who {
        Principal::Technician(me) => audience.is_none_or(|a| a.contains(&me)),
        Principal::Customer(mine) => session == Some(mine) && !invitation,
        Principal::External(me) => {
            let Some(s) = session.and_then(|id| state.sessions.get(&id)) else {
                return false;
            };
            // Their own departure (removed, inviter left, session ended) reaches them too.
            let inside = s.externals.contains_key(&me)
                || matches!(event, Event::MemberLeft { member: Participant::External(e), .. } if *e == me);
            inside && !invitation
        }
    }
}
