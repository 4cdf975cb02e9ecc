//! Every right ends everywhere the moment it ends, open sockets included: sign-out, a permission
//! removed, a customer removed (M1), an external user logged out (X5), a session's end. Each test
//! prints how long after the request that ended the right was sent its socket was closed.
use super::raw::{Raw, Socket, closed_after, is_appliance_close, next_json, still_open};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tandem_e2e::Appliance;

/// How long a test waits for a socket to close before calling the right still alive.
const LIMIT: Duration = Duration::from_secs(5);

/// An external user invited by `owner` redeems the link; their token.
pub async fn external_joins(raw: &Raw, owner: &str, session: u64) -> String {
    let policy = raw.first_id(owner, "policies").await;
    let sent = raw
        .ok(
            owner,
            json!({"InviteExternal": {"session": session, "policy": policy,
                "invitee": {"Anyone": {"name": "Eve Expert", "email": null}}, "comments": "database help"}}),
        )
        .await;
    let token = link_token(&sent);
    let (status, redeemed) = raw
        .post("/api/v1/external/redeem", None, json!({"token": token}))
        .await;
    assert_eq!(status, 200, "{redeemed}");
    redeemed["token"].as_str().unwrap().to_owned()
}

/// The one-time token of the link a command response carries.
pub fn link_token(sent: &Value) -> String {
    sent["link"]
        .as_str()
        .unwrap()
        .rsplit_once("/join/")
        .unwrap()
        .1
        .to_owned()
}

/// A feed, read up to its first snapshot.
async fn feed(raw: &Raw, token: &str) -> Socket {
    let mut socket = raw
        .ws(&format!("/api/v1/events?access_token={token}"))
        .await
        .unwrap();
    let first = next_json(&mut socket).await.unwrap();
    assert_eq!(first["type"], "snapshot", "{first}");
    socket
}

/// An open shell in an active session of `technician`, the customer having allowed it.
async fn open_shell(raw: &Raw, technician: &str) -> (String, u64, Socket) {
    let (customer, session) = raw.active_session(technician, "kim-laptop").await;
    raw.ok(technician, json!({"StartShell": {"session": session}}))
        .await;
    raw.ok(
        &customer,
        json!({"AnswerPrompt": {"session": session, "prompt": {"Allow": "Shell"}, "accepted": true}}),
    )
    .await;
    let shell = raw
        .ws(&format!(
            "/api/v1/sessions/{session}/shell?access_token={technician}"
        ))
        .await
        .unwrap();
    (customer, session, shell)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_closes_that_devices_feed_and_shell_at_once_and_no_other_devices() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let phone = raw.login("alice").await;
    let tablet = raw.login("alice").await;
    let (_, _, mut shell) = open_shell(&raw, &phone).await;
    let mut phone_feed = feed(&raw, &phone).await;
    let mut tablet_feed = feed(&raw, &tablet).await;

    let signed_out = Instant::now();
    let (status, _) = raw.post("/api/v1/logout", Some(&phone), json!({})).await;
    let answered = signed_out.elapsed();
    assert_eq!(status, 200);
    let (feed_after, feed_code, _) = closed_after(&mut phone_feed, signed_out, LIMIT).await;
    let (shell_after, shell_code, _) = closed_after(&mut shell, signed_out, LIMIT).await;
    println!(
        "sign-out: from sending the request, the feed closed after {} ms and the shell after {} ms (the request's answer came after {} ms)",
        feed_after.as_millis(),
        shell_after.as_millis(),
        answered.as_millis()
    );
    assert_eq!(feed_code, Some(4001), "the feed says why it closed");
    assert!(is_appliance_close(shell_code), "{shell_code:?}");
    assert_eq!(raw.get("/api/v1/snapshot", Some(&phone)).await.0, 401);
    assert!(
        still_open(&mut tablet_feed, Duration::from_secs(2)).await,
        "the tablet's sign-in is another credential and stays open"
    );
    assert_eq!(raw.get("/api/v1/snapshot", Some(&tablet)).await.0, 200);
    // S3: still signed in on the tablet, so still listed for invitations; then signed out there.
    let listed = |snapshot: Value| {
        let me = snapshot["view"]["me"].as_u64().unwrap().to_string();
        snapshot["view"]["state"]["technicians"][&me]["logged_in"].clone()
    };
    assert_eq!(listed(raw.snapshot(&tablet).await), true);
    let bob = raw.login("bob").await;
    let (status, _) = raw.post("/api/v1/logout", Some(&tablet), json!({})).await;
    assert_eq!(status, 200);
    let alice_listed = raw.snapshot(&bob).await["view"]["state"]["technicians"]
        .as_object()
        .unwrap()
        .values()
        .find(|t| t["email"] == "alice@demo.tandem")
        .unwrap()["logged_in"]
        .clone();
    assert_eq!(
        alice_listed, false,
        "signed out everywhere: no longer listed"
    );
}

/// Alice has a shell open and her feed; the master administrator makes `change` (built from the
/// demo organisation's ids). How long after the request her shell closed, with which code, and
/// whether her feed (her sign-in is still valid) stayed open.
async fn shell_after_admin_change(
    change: impl FnOnce(&super::raw::Demo) -> Value,
) -> (Duration, Option<u16>, bool) {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let admin = raw.login("admin").await;
    let demo = super::raw::Demo::read(&raw, &admin).await;
    let alice = raw.login("alice").await;
    let (_, _, mut shell) = open_shell(&raw, &alice).await;
    let mut alice_feed = feed(&raw, &alice).await;
    let changed = Instant::now();
    raw.ok(&admin, json!({"Admin": change(&demo)})).await;
    let (after, code, _) = closed_after(&mut shell, changed, LIMIT).await;
    (
        after,
        code,
        still_open(&mut alice_feed, Duration::from_secs(2)).await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_shell_permission_closes_an_open_shell() {
    let (after, code, feed_open) = shell_after_admin_change(|demo| {
        json!({"SetPermission": {"team": demo.teams["Tier 1"], "grant": {"Flag": ["CommandShell", false]}}})
    })
    .await;
    println!(
        "permission removed: from sending the request, the open shell closed after {} ms",
        after.as_millis()
    );
    assert_eq!(code, Some(4003), "the shell says it is no longer allowed");
    assert!(feed_open, "her sign-in is still valid: the feed stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_the_team_closes_an_open_shell() {
    // Tier 1's parent: everything below it is disabled too (G2).
    let (after, code, feed_open) = shell_after_admin_change(|demo| {
        json!({"UpdateTeam": {"team": demo.teams["Service Desk"], "name": "Service Desk",
            "description": "First and second line support", "enabled": false}})
    })
    .await;
    println!(
        "team disabled (G2): from sending the request, the open shell closed after {} ms",
        after.as_millis()
    );
    assert_eq!(code, Some(4003));
    assert!(feed_open, "her sign-in is still valid: the feed stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_customer_is_disconnected_and_hears_nothing_more() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (customer, session) = raw.active_session(&alice, "kim-laptop").await;
    let mut customer_feed = feed(&raw, &customer).await;

    let removed = Instant::now();
    raw.ok(
        &alice,
        json!({"RemoveMember": {"session": session, "member": "Customer"}}),
    )
    .await;
    let (after, code, seen) = closed_after(&mut customer_feed, removed, LIMIT).await;
    println!(
        "customer removed (M1): from sending the request, its feed closed after {} ms",
        after.as_millis()
    );
    assert_eq!(code, Some(4001));
    assert!(
        seen.iter()
            .any(|m| m["event"].get("CustomerDisconnected").is_some()),
        "the customer is told before the socket closes: {seen:?}"
    );
    raw.ok(
        &alice,
        json!({"SendChat": {"session": session, "text": "only for technicians now"}}),
    )
    .await;
    assert_eq!(raw.get("/api/v1/snapshot", Some(&customer)).await.0, 401);
    assert_eq!(
        raw.ws_status(&format!("/api/v1/events?access_token={customer}"))
            .await,
        401,
        "the removed customer cannot listen again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_user_logged_out_is_closed_at_once() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (_, session) = raw.active_session(&alice, "kim-laptop").await;
    let external = external_joins(&raw, &alice, session).await;
    let mut external_feed = feed(&raw, &external).await;
    let me = raw.snapshot(&external).await["view"]["me"]["id"]
        .as_u64()
        .unwrap();

    let removed = Instant::now();
    raw.ok(
        &alice,
        json!({"RemoveMember": {"session": session, "member": {"External": me}}}),
    )
    .await;
    let (after, code, _) = closed_after(&mut external_feed, removed, LIMIT).await;
    println!(
        "external user removed (X5): from sending the request, their feed closed after {} ms",
        after.as_millis()
    );
    assert_eq!(code, Some(4001));
    assert_eq!(raw.get("/api/v1/snapshot", Some(&external)).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sessions_end_reaches_the_customer_then_closes_its_feed() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (customer, session) = raw.active_session(&alice, "kim-laptop").await;
    let mut customer_feed = feed(&raw, &customer).await;
    let ended = Instant::now();
    raw.ok(&alice, json!({"EndSession": {"session": session}}))
        .await;
    let (after, code, seen) = closed_after(&mut customer_feed, ended, LIMIT).await;
    println!(
        "session ended: from sending the request, the customer's feed closed after {} ms",
        after.as_millis()
    );
    assert_eq!(code, Some(4001));
    assert!(
        seen.iter()
            .any(|m| m["event"].get("SessionEnded").is_some()),
        "the customer client learns of the end (C1: it uninstalls itself): {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_closes_its_sockets_at_its_deadline() {
    let app = Appliance::start_with(&["--sign-in-seconds", "2"])
        .await
        .unwrap();
    let raw = Raw::new(&app);
    let signed_in = Instant::now();
    let alice = raw.login("alice").await;
    let (_, _, mut shell) = open_shell(&raw, &alice).await;
    let mut alice_feed = feed(&raw, &alice).await;
    let (feed_after, feed_code, _) = closed_after(&mut alice_feed, signed_in, LIMIT).await;
    let (shell_after, shell_code, _) = closed_after(&mut shell, signed_in, LIMIT).await;
    println!(
        "a 2 s sign-in: its feed closed {} ms and its shell {} ms after signing in",
        feed_after.as_millis(),
        shell_after.as_millis()
    );
    assert_eq!(feed_code, Some(4002), "the feed says the sign-in expired");
    assert_eq!(shell_code, Some(4002));
    assert!(
        feed_after >= Duration::from_millis(1900),
        "not before its time"
    );
    assert_eq!(raw.get("/api/v1/snapshot", Some(&alice)).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_gone_silent_is_closed_within_the_bound() {
    // Pinged every second; silent for 3 s means gone.
    let app = Appliance::start_with(&["--dead-after-seconds", "3"])
        .await
        .unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (_, session, _shell) = open_shell(&raw, &alice).await;
    // A phone that lost its network answers nothing: peers that never answer a ping.
    let feed_path = format!("/api/v1/events?access_token={alice}");
    let shell_path = format!("/api/v1/sessions/{session}/shell?access_token={alice}");
    let (feed_after, shell_after) = tokio::time::timeout(Duration::from_secs(15), async {
        tokio::join!(raw.mute_socket(&feed_path), raw.mute_socket(&shell_path))
    })
    .await
    .expect("silent peers are closed by the appliance");
    println!(
        "silent peers (bound 3 s): the feed was closed {} ms and the shell {} ms after going silent",
        feed_after.as_millis(),
        shell_after.as_millis()
    );
    // A peer that answers stays, for more than twice the bound.
    let mut live = feed(&raw, &alice).await;
    assert!(super::raw::answers_for(&mut live, Duration::from_secs(7)).await);
}
