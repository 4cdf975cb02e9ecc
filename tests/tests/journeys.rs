//! The technician journeys end to end: the appliance as its own process, technicians on the
//! console client, a customer on the same API. Each asserts what a person would see in their
//! console's live mirror.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use tandem_core::client::{Api, ClientError, Console, FeedOptions, Mirror};
use tandem_core::domain::*;
use tandem_e2e::{Appliance, Proxy};

/// The demo organisation's password (tandem-appliance's demo data).
const PASSWORD: &str = "tandem-demo-2026";
const WAIT: Duration = Duration::from_secs(10);

fn fast() -> FeedOptions {
    FeedOptions {
        ping_every: Duration::from_millis(200),
        dead_after: Duration::from_secs(2),
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_millis(800),
    }
}

async fn console(app: &Appliance, who: &str) -> Console {
    Console::sign_in(
        app.endpoint().unwrap(),
        &format!("{who}@demo.tandem"),
        PASSWORD,
        fast(),
    )
    .await
    .unwrap()
}

fn technician(m: &Mirror, name: &str) -> TechnicianId {
    m.state
        .technicians
        .values()
        .find(|t| t.name.starts_with(name))
        .unwrap()
        .id
}

fn team(m: &Mirror, name: &str) -> TeamId {
    m.state.teams.values().find(|t| t.name == name).unwrap().id
}

fn chat_texts(m: &Mirror, s: SessionId) -> Vec<String> {
    m.chat
        .get(&s)
        .map(|c| c.iter().map(|l| l.text.clone()).collect())
        .unwrap_or_default()
}

fn invitation_for(m: &Mirror, s: SessionId) -> Option<InvitationId> {
    let now = Timestamp(u64::MAX / 4);
    m.state
        .invitations
        .values()
        .find(|i| i.session == s && i.state == InvitationState::Active && !i.is_expired(now))
        .map(|i| i.id)
}

/// Wait until `console` shows an active invitation to session `s`, and return it.
async fn incoming(console: &Console, s: SessionId) -> InvitationId {
    let seen = console
        .wait_for(WAIT, |m| invitation_for(m, s).is_some())
        .await
        .unwrap();
    invitation_for(&seen, s).unwrap()
}

/// A customer in Alice's session, taken from her queue.
async fn customer_with(alice: &Console, app: &Appliance) -> (Api, SessionId) {
    let key = alice.session_key(None).await.unwrap();
    let info = CustomerInfo {
        name: "Kim".into(),
        machine: "kim-pc".into(),
        platform: Platform::Windows,
        mode: ClientMode::Full,
    };
    let (customer, joined) = Api::new(app.endpoint().unwrap())
        .unwrap()
        .join(&key.key, &info)
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| m.state.sessions.contains_key(&joined.session))
        .await
        .unwrap();
    alice
        .command(Command::AcceptFromQueue {
            session: joined.session,
        })
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&joined.session].owner == Some(m.me)
        })
        .await
        .unwrap();
    (customer, joined.session)
}

fn greyed(m: &Mirror, s: SessionId, action: Action) -> Option<String> {
    m.actions(s)
        .into_iter()
        .find(|a| a.action == action)
        .unwrap()
        .denial
        .map(|d| d.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_with_a_team_member_who_accepts_then_chat_both_ways() {
    let app = Appliance::start().await.unwrap();
    let (alice, bob) = (console(&app, "alice").await, console(&app, "bob").await);
    let (customer, s) = customer_with(&alice, &app).await;
    let bob_id = technician(&alice.current(), "Bob");
    let people = alice.current().targets(s, Action::ShareWithTechnician);
    assert!(
        people.contains(&Target::Technician(bob_id)),
        "Bob is listed (S3): {people:?}"
    );
    alice
        .command(Command::InviteTechnician {
            session: s,
            technician: bob_id,
        })
        .await
        .unwrap();
    let invitation = incoming(&bob, s).await;
    bob.command(Command::AcceptInvitation { invitation })
        .await
        .unwrap();
    bob.wait_for(WAIT, |m| {
        m.state
            .sessions
            .get(&s)
            .is_some_and(|x| x.members.contains(&bob_id))
    })
    .await
    .unwrap();

    customer
        .command(&Command::SendChat {
            session: s,
            text: "my printer is on fire".into(),
        })
        .await
        .unwrap();
    bob.command(Command::SendChat {
        session: s,
        text: "please step away from it".into(),
    })
    .await
    .unwrap();
    for c in [&alice, &bob] {
        c.wait_for(WAIT, |m| {
            chat_texts(m, s) == ["my printer is on fire", "please step away from it"]
        })
        .await
        .unwrap();
    }
    let seen_by_customer = customer.snapshot().await.unwrap();
    let tandem_core::protocol::View::Customer { session } = seen_by_customer.view else {
        panic!()
    };
    assert_eq!(
        session.chat.last().unwrap().text,
        "please step away from it"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_representative_request_help_decline_and_cancel() {
    let app = Appliance::start().await.unwrap();
    let (alice, bob) = (console(&app, "alice").await, console(&app, "bob").await);
    let (_customer, s) = customer_with(&alice, &app).await;
    let tier1 = team(&alice.current(), "Tier 1");
    alice
        .command(Command::InviteAnyRepresentative {
            session: s,
            team: tier1,
        })
        .await
        .unwrap();
    let any_rep = incoming(&bob, s).await;
    bob.command(Command::DeclineInvitation {
        invitation: any_rep,
    })
    .await
    .unwrap();
    alice
        .wait_for(WAIT, |m| {
            m.state.invitations[&any_rep].state == InvitationState::Ended(InvitationEnd::Declined)
        })
        .await
        .unwrap();

    let printing = alice
        .current()
        .state
        .issues
        .values()
        .find(|i| i.name == "Printing")
        .unwrap()
        .id;
    let billing = alice
        .current()
        .state
        .issues
        .values()
        .find(|i| i.name == "Billing questions")
        .unwrap()
        .id;
    let offered = alice.current().targets(s, Action::RequestHelp);
    assert!(
        offered.contains(&Target::Issue(printing)) && !offered.contains(&Target::Issue(billing)),
        "only issues taking help requests (S1)"
    );
    let refused = alice
        .command(Command::RequestHelp {
            session: s,
            issue: billing,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { status: 403, rule: Some(r), .. } if r == "S1"),
        "{refused}"
    );
    alice
        .command(Command::RequestHelp {
            session: s,
            issue: printing,
        })
        .await
        .unwrap();
    let help = incoming(&bob, s).await;
    assert!(
        alice
            .current()
            .targets(s, Action::CancelInvitation)
            .contains(&Target::Invitation(help))
    );
    alice
        .command(Command::CancelInvitation { invitation: help })
        .await
        .unwrap();
    bob.wait_for(WAIT, |m| invitation_for(m, s).is_none())
        .await
        .unwrap();
    let late = bob
        .command(Command::AcceptInvitation { invitation: help })
        .await
        .unwrap_err();
    assert!(
        matches!(&late, ClientError::Refused { rule: Some(r), .. } if r == "S7"),
        "{late}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_an_external_user_who_redeems_the_link_once() {
    let app = Appliance::start().await.unwrap();
    let alice = console(&app, "alice").await;
    let (_customer, s) = customer_with(&alice, &app).await;
    let policy = alice
        .current()
        .state
        .policies
        .values()
        .find(|p| p.name == "View only")
        .unwrap()
        .id;
    let invitation = alice
        .invite_external(
            s,
            policy,
            ExternalInvitee::Anyone {
                name: "Sam".into(),
                email: None,
            },
            "knows the accounting package",
        )
        .await
        .unwrap();
    assert_eq!(invitation.policy_name, "View only");
    assert!(
        invitation
            .policy_description
            .starts_with("Sees the customer's screen"),
        "{}",
        invitation.policy_description
    );
    let token = invitation.link.rsplit_once("/join/").unwrap().1;
    let guest = Api::new(app.endpoint().unwrap()).unwrap();
    let (sam, redeemed) = guest.redeem(token).await.unwrap();
    alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&s]
                .externals
                .contains_key(&redeemed.external)
        })
        .await
        .unwrap();
    sam.command(&Command::SendChat {
        session: s,
        text: "Sam here".into(),
    })
    .await
    .unwrap();
    alice
        .wait_for(WAIT, |m| chat_texts(m, s).contains(&"Sam here".to_owned()))
        .await
        .unwrap();
    // A used link is answered exactly as one that never existed.
    let again = guest.redeem(token).await.unwrap_err();
    assert!(
        matches!(again, ClientError::Refused { status: 410, .. }),
        "{again}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_to_a_team_and_to_a_technician_greys_the_former_owner() {
    let app = Appliance::start().await.unwrap();
    let (alice, bob, carol) = (
        console(&app, "alice").await,
        console(&app, "bob").await,
        console(&app, "carol").await,
    );
    let (_customer, s) = customer_with(&alice, &app).await;
    let tier2 = team(&alice.current(), "Tier 2");
    alice
        .command(Command::TransferToTeam {
            session: s,
            team: tier2,
        })
        .await
        .unwrap();
    carol
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.status == SessionStatus::Queued(QueueRef::Team(tier2)))
        })
        .await
        .unwrap();
    carol
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    let after = alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&s].owner != Some(m.me)
                && m.state.sessions[&s].status == SessionStatus::Active
        })
        .await
        .unwrap();
    for action in [
        Action::TransferToTeam,
        Action::ShareWithTechnician,
        Action::RemoveMember,
    ] {
        let reason =
            greyed(&after, s, action).unwrap_or_else(|| panic!("{action:?} should be greyed"));
        assert!(reason.starts_with("Only the session owner can"), "{reason}");
    }
    // The console's menu is the appliance's menu.
    let remote = alice.api().actions(s).await.unwrap();
    for (local, remote) in after.actions(s).iter().zip(&remote) {
        assert_eq!(
            (local.action, local.enabled()),
            (remote.action, remote.enabled)
        );
    }

    let bob_id = technician(&carol.current(), "Bob");
    carol
        .command(Command::TransferToTechnician {
            session: s,
            technician: bob_id,
        })
        .await
        .unwrap();
    bob.wait_for(WAIT, |m| {
        m.state
            .sessions
            .get(&s)
            .is_some_and(|x| x.status == SessionStatus::Queued(QueueRef::Personal(bob_id)))
    })
    .await
    .unwrap();
    bob.command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    let carols = carol
        .wait_for(WAIT, |m| m.state.sessions[&s].owner == Some(bob_id))
        .await
        .unwrap();
    assert!(greyed(&carols, s, Action::TransferToTechnician).is_some());
    assert!(
        greyed(&carols, s, Action::LeaveSession).is_none(),
        "she may leave (T3)"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_a_member_hold_and_end() {
    let app = Appliance::start().await.unwrap();
    let (alice, bob) = (console(&app, "alice").await, console(&app, "bob").await);
    let (customer, s) = customer_with(&alice, &app).await;
    let bob_id = technician(&alice.current(), "Bob");
    alice
        .command(Command::InviteTechnician {
            session: s,
            technician: bob_id,
        })
        .await
        .unwrap();
    let invitation = incoming(&bob, s).await;
    bob.command(Command::AcceptInvitation { invitation })
        .await
        .unwrap();
    bob.wait_for(WAIT, |m| m.state.sessions.contains_key(&s))
        .await
        .unwrap();
    alice
        .command(Command::RemoveMember {
            session: s,
            member: Participant::Technician(bob_id),
        })
        .await
        .unwrap();
    bob.wait_for(WAIT, |m| !m.state.sessions.contains_key(&s))
        .await
        .unwrap();

    alice
        .command(Command::HoldSession { session: s })
        .await
        .unwrap();
    let me = alice.current().me;
    alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&s].status == SessionStatus::Queued(QueueRef::Personal(me))
        })
        .await
        .unwrap();
    alice
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| !m.state.sessions.contains_key(&s))
        .await
        .unwrap();
    // The customer's right ended with the session: its token opens nothing any more.
    let ended = customer.snapshot().await.unwrap_err();
    assert!(
        matches!(ended, ClientError::Refused { status: 401, .. }),
        "{ended}"
    );
    app.stop().await;
}

/// A phone's network drops mid-session: the console shows it is offline, reconnects by itself,
/// and resumes from the last event it applied, with no chat message missed or doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_cut_off_mid_session_resumes_without_gaps_or_doubles() {
    let app = Appliance::start().await.unwrap();
    let proxy = Proxy::start(app.addr).await.unwrap();
    let alice = Console::sign_in(
        proxy.endpoint(&app.fingerprint).unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        fast(),
    )
    .await
    .unwrap();
    let (customer, s) = customer_with(&alice, &app).await;
    customer
        .command(&Command::SendChat {
            session: s,
            text: "one".into(),
        })
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| chat_texts(m, s) == ["one"])
        .await
        .unwrap();

    proxy.cut().await;
    alice
        .wait_for(WAIT, |m| {
            !matches!(m.connection, tandem_core::client::Connection::Online)
        })
        .await
        .unwrap();
    for text in ["two", "three", "four"] {
        customer
            .command(&Command::SendChat {
                session: s,
                text: text.into(),
            })
            .await
            .unwrap();
    }
    assert_eq!(
        chat_texts(&alice.current(), s),
        ["one"],
        "nothing arrives while cut off"
    );
    proxy.restore();
    let back = alice
        .wait_for(WAIT, |m| {
            chat_texts(m, s).len() >= 4 && m.connection == tandem_core::client::Connection::Online
        })
        .await
        .unwrap();
    assert_eq!(
        chat_texts(&back, s),
        ["one", "two", "three", "four"],
        "all of them, once each, in order"
    );
    customer
        .command(&Command::SendChat {
            session: s,
            text: "five".into(),
        })
        .await
        .unwrap();
    let live = alice
        .wait_for(WAIT, |m| chat_texts(m, s).len() == 5)
        .await
        .unwrap();
    assert_eq!(chat_texts(&live, s).last().unwrap(), "five");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_fingerprint_is_refused() {
    let app = Appliance::start().await.unwrap();
    let wrong = tandem_core::client::Endpoint::new(
        &format!("https://localhost:{}/", app.addr.port()),
        &["AB"; 32].join(":"),
    )
    .unwrap();
    let refused = Console::sign_in(wrong, "alice@demo.tandem", PASSWORD, fast())
        .await
        .unwrap_err();
    assert!(matches!(refused, ClientError::Untrusted(_)), "{refused}");
    let first =
        tandem_core::client::first_contact(&format!("https://localhost:{}/", app.addr.port()))
            .await
            .unwrap();
    assert_eq!(
        first.presented, app.fingerprint,
        "first use shows the certificate actually presented"
    );
    assert_eq!(
        first.info.fingerprint.as_deref(),
        Some(app.fingerprint.as_str())
    );
    app.stop().await;
}

/// A phone that changes networks: its connection cut, then a new one from another local address.
/// The console, with the app's own back-off (not the fast one above), is back in its session
/// with nothing lost; the time from the new network to the console being current is printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::print_stdout)]
async fn a_console_whose_network_changes_is_back_in_its_session_with_nothing_lost() {
    let app = Appliance::start().await.unwrap();
    let proxy = Proxy::start(app.addr).await.unwrap();
    let alice = Console::sign_in(
        proxy.endpoint(&app.fingerprint).unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        FeedOptions::default(),
    )
    .await
    .unwrap();
    let (customer, s) = customer_with(&alice, &app).await;
    let say = |text: &str| Command::SendChat {
        session: s,
        text: text.into(),
    };
    customer.command(&say("one")).await.unwrap();
    alice
        .wait_for(WAIT, |m| chat_texts(m, s) == ["one"])
        .await
        .unwrap();

    proxy.cut().await;
    alice
        .wait_for(WAIT, |m| {
            !matches!(m.connection, tandem_core::client::Connection::Online)
        })
        .await
        .unwrap();
    // Watched from here: the old network's failure is behind it.
    let mut watch = alice.watch();
    customer.command(&say("two")).await.unwrap();
    customer.command(&say("three")).await.unwrap();
    // The phone finds its new network only after the console has tried the old one again and
    // failed: the next time it shows itself offline (each lasts its back-off pause).
    tokio::time::timeout(WAIT, async {
        loop {
            watch.changed().await.unwrap();
            if matches!(
                watch.borrow_and_update().connection,
                tandem_core::client::Connection::Offline { .. }
            ) {
                break;
            }
        }
    })
    .await
    .expect("the console tries the old network again and fails");
    let new_network = std::time::Instant::now();
    proxy.restore_from(std::net::IpAddr::from([127, 0, 0, 2]));
    let back = alice
        .wait_for(Duration::from_secs(30), |m| {
            m.connection == tandem_core::client::Connection::Online && chat_texts(m, s).len() >= 3
        })
        .await
        .unwrap();
    let took = new_network.elapsed();
    assert_eq!(chat_texts(&back, s), ["one", "two", "three"]);
    assert_eq!(
        back.state.sessions.get(&s).and_then(|x| x.owner),
        Some(back.me),
        "still in its session, still its owner"
    );
    println!(
        "console on a changed network: current again {} ms after the new network came up (goal: under 3 s)",
        took.as_millis()
    );
    app.stop().await;
}

/// S3 with connections: a technician whose only console drops stays listed for the grace (a
/// phone between networks), is not listed after it, and is listed again once the console is
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_technician_whose_console_drops_is_listed_through_the_grace_then_not_then_again() {
    let app = Appliance::start_with(&["--presence-grace-seconds", "2"])
        .await
        .unwrap();
    let proxy = Proxy::start(app.addr).await.unwrap();
    let alice = Console::sign_in(
        proxy.endpoint(&app.fingerprint).unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        fast(),
    )
    .await
    .unwrap();
    let bob = console(&app, "bob").await;
    let alice_id = alice.current().me;
    let listed = |m: &Mirror| {
        m.state
            .technicians
            .get(&alice_id)
            .is_some_and(|t| t.logged_in)
    };
    bob.wait_for(WAIT, listed).await.unwrap();

    proxy.cut().await;
    alice
        .wait_for(WAIT, |m| {
            !matches!(m.connection, tandem_core::client::Connection::Online)
        })
        .await
        .unwrap();
    assert!(
        listed(&bob.current()),
        "a console that just dropped is still listed"
    );
    bob.wait_for(WAIT, |m| !listed(m)).await.unwrap();
    proxy.restore();
    bob.wait_for(WAIT, listed).await.unwrap();
    app.stop().await;
}
