//! What a technician's console holds (`State::view_for`, `State::prune_for`): the organisation,
//! and only the sessions and invitations that concern them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;
use tandem_core::domain::*;

#[test]
fn a_console_holds_its_sessions_and_queues_but_not_colleagues_sessions() {
    let mut w = World::new();
    let mine = w.session_owned_by(w.alice);
    let carols = w.session_owned_by(w.carol);
    let waiting = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Ada", Platform::Linux, ClientMode::Full),
    );
    let to_bob = World::invitation_id(&w.ok(
        tech(w.alice),
        Command::InviteTechnician {
            session: mine,
            technician: w.bob,
        },
    ));
    let view = w.state.view_for(w.bob);
    assert!(view.sessions.contains_key(&waiting), "Tier 1's queue");
    assert!(!view.sessions.contains_key(&mine) && !view.sessions.contains_key(&carols));
    assert!(
        view.invitations.contains_key(&to_bob),
        "invitations addressed to Bob"
    );
    assert_eq!(view.teams, w.state.teams, "the whole organisation");
    // Bob's console computes his menu from its own view, exactly as the appliance would.
    w.ok(
        tech(w.bob),
        Command::AcceptInvitation { invitation: to_bob },
    );
    let view = w.state.view_for(w.bob);
    assert_eq!(
        view.available_actions(tech(w.bob), mine, w.now),
        w.state.available_actions(tech(w.bob), mine, w.now)
    );
}

#[test]
fn applying_events_and_pruning_keeps_a_console_view_current() {
    let mut w = World::new();
    let waiting = w.arrive(
        QueueRef::Team(w.tier1),
        customer("Ada", Platform::Linux, ClientMode::Full),
    );
    let mut bobs = w.state.view_for(w.bob);
    let events = w.ok(tech(w.alice), Command::AcceptFromQueue { session: waiting });
    for e in &events {
        bobs.apply(e);
    }
    bobs.prune_for(w.bob);
    assert!(
        !bobs.sessions.contains_key(&waiting),
        "Alice took it: it leaves Bob's view"
    );
    assert_eq!(bobs, w.state.view_for(w.bob));
}
