//! Who may see which event. A technician sees the organisation, and the events of the sessions
//! and invitations their view holds ([`State::view_for`]), judged both before and after the
//! event, so the event that takes a session out of their view (someone else took it, it ended)
//! still reaches them. That audience is fixed when the event is committed and stored with it, so
//! a console resuming later gets exactly what it would have got live. Customers and external
//! users see only their own session's events, never invitations (they carry addresses).
use crate::auth::Principal;
use std::collections::BTreeSet;
use tandem_core::domain::{Event, InvitationId, Participant, SessionId, State, TechnicianId};

/// The technicians who may see an event in one state; `None` for organisation events, which
/// every technician sees. An event's audience is who sees it before or after it ([`either`]).
#[must_use]
pub fn seen_by(state: &State, event: &Event) -> Option<BTreeSet<TechnicianId>> {
    match event {
        // Only the technician it concerns (it names an address they typed).
        Event::MailNotSent { technician, .. } => Some(BTreeSet::from([*technician])),
        Event::InvitationSent { invitation, .. } => {
            Some(state.technicians_seeing_invitation(invitation))
        }
        Event::InvitationEnded { invitation, .. } => {
            let invitation = state.invitations.get(invitation)?;
            Some(state.technicians_seeing_invitation(invitation))
        }
        _ => {
            let session = event.session(state)?;
            let mut seen = state
                .sessions
                .get(&session)
                .map(|s| state.technicians_seeing_session(s))
                .unwrap_or_default();
            seen.extend(named(event).filter(|t| state.technicians.contains_key(t)));
            Some(seen)
        }
    }
}

/// The technician an event names, who sees it even when the session is no longer theirs.
fn named(event: &Event) -> impl Iterator<Item = TechnicianId> {
    match event {
        Event::MemberLeft {
            member: Participant::Technician(t),
            ..
        } => Some(*t),
        Event::SessionReleased { former_owner, .. } => Some(*former_owner),
        _ => None,
    }
    .into_iter()
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
            // Their own departure (removed, inviter left, session ended) reaches them too, even
            // once the session has ended and left the state.
            let own_departure = matches!(event, Event::MemberLeft { member: Participant::External(e), .. } if *e == me);
            let inside = session
                .and_then(|id| state.sessions.get(&id))
                .is_some_and(|s| s.externals.contains_key(&me));
            (inside || own_departure) && !invitation
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

/// A numeric field of a command's wire form (`{"Kind": {"field": …}}`): every command aimed at
/// a session or an invitation names it in a `session` or `invitation` field, so reading the wire
/// form covers new commands as they come.
fn command_field(command: &tandem_core::domain::Command, field: &str) -> Option<u64> {
    let value = serde_json::to_value(command).ok()?;
    let (_, fields) = value.as_object()?.iter().next()?;
    fields.get(field)?.as_u64()
}

/// The session a command is aimed at, if it names one.
#[must_use]
pub fn target_session(command: &tandem_core::domain::Command) -> Option<SessionId> {
    command_field(command, "session").map(SessionId)
}

/// The invitation a command is aimed at, if it names one.
#[must_use]
pub fn target_invitation(command: &tandem_core::domain::Command) -> Option<InvitationId> {
    command_field(command, "invitation").map(InvitationId)
}

/// Whether `who` may know that an invitation exists: the technicians who see it (its inviter,
/// its invitees). Nobody else, so invitation ids cannot be probed for live sessions.
#[must_use]
pub fn may_see_invitation(state: &State, who: Principal, invitation: InvitationId) -> bool {
    match (who, state.invitations.get(&invitation)) {
        (Principal::Technician(t), Some(i)) => state.sees_invitation(t, i),
        _ => false,
    }
}

/// The answer to an invitation the caller may not see: the same as to one that does not exist.
#[must_use]
pub fn no_such_invitation(invitation: InvitationId) -> crate::error::ApiError {
    tandem_core::domain::CommandError::NotFound {
        kind: tandem_core::domain::Entity::Invitation,
        id: invitation.0,
    }
    .into()
}
