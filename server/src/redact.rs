//! What external users (X5) do not see of a session: the computer's id, and the support button
//! and jump client on it. They see the session, its chat and the tools their policy allows;
//! which computer it is, and how to reach it later, are for the technicians who may act on it.
use tandem_core::domain::Event;
use tandem_core::protocol::SessionView;

/// A session view with the computer's identity taken out.
#[must_use]
pub fn session_view_for_external(mut view: SessionView) -> SessionView {
    view.session.customer.info.machine.clear();
    view.support_button = None;
    view.jump_client = None;
    view
}

/// An event as an external user receives it: machine ids cleared.
#[must_use]
pub fn event_for_external(event: &Event) -> Event {
    let mut event = event.clone();
    match &mut event {
        Event::SessionStarted { customer, .. } => customer.machine.clear(),
        Event::SupportButtonDeployed { button, .. } => button.machine.clear(),
        Event::JumpClientPinned { jump_client, .. } => jump_client.machine.clear(),
        _ => {}
    }
    event
}
