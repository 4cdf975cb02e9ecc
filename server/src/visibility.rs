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

/// Whether `who` may know that a session exists: a technician who sees it (in it, or in a queue
/// of theirs), its customer, an external user in it. Everyone else is answered as if it did not
/// exist, so session ids cannot be probed.
#[must_use]
pub fn may_see_session(state: &State, who: Principal, session: SessionId) -> bool {
    let Some(s) = state.sessions.get(&session) else {
        return false;
    };
    match who {
        Principal::Technician(t) => state.sees_session(t, s) || s.has_technician(t),
        Principal::Customer(mine) => mine == session,
        Principal::External(e) => s.externals.contains_key(&e),
    }
}

/// The answer to a session the caller may not see: the same as to one that does not exist.
#[must_use]
pub fn no_such_session(session: SessionId) -> crate::error::ApiError {
    tandem_core::domain::CommandError::NotFound {
        kind: tandem_core::domain::Entity::Session,
        id: session.0,
    }
    .into()
}

/// The session a command is aimed at, if it names one (every session command has a `session`
/// field in its wire form, which is what this reads, so new commands are covered as they come).
#[must_use]
pub fn target_session(command: &tandem_core::domain::Command) -> Option<SessionId> {
    let value = serde_json::to_value(command).ok()?;
    let (_, fields) = value.as_object()?.iter().next()?;
    fields.get("session")?.as_u64().map(SessionId)
}
