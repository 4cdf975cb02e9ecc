//! Nothing a client says about itself is proof (J1, B1, X5): a machine id claimed by another
//! client gets no jump client credential and no pin; a support button needs its secret; external
//! users never learn machine ids.
use super::raw::{Raw, customer};
use serde_json::{Value, json};
use tandem_e2e::Appliance;

const VICTIM: &str = "victim-machine-0001";

/// Alice pins the victim's computer to her personal list from a session with it; the victim's
/// client claims the agent credential as the real customer client does.
async fn pinned_victim(raw: &Raw, alice: &str) -> (String, u64, String, u64) {
    let (victim, session) = raw.active_session(alice, VICTIM).await;
    raw.pin_personal(alice, session).await;
    let (status, credentials) = raw.claim(&victim, "jump-client").await;
    assert_eq!(status, 200, "{credentials}");
    (
        victim,
        session,
        credentials["token"].as_str().unwrap().to_owned(),
        credentials["jump_client"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_claiming_a_pinned_machine_id_gets_no_agent_credential_and_the_agent_keeps_working()
 {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (_, _, agent_token, _) = pinned_victim(&raw, &alice).await;

    // The attacker joins with a key from any technician, claiming the victim's machine id (seen
    // in a technician's snapshot), and asks for the pinned computer's agent credential.
    let bob = raw.login("bob").await;
    let (attacker, _) = raw.active_session(&bob, VICTIM).await;
    let (status, body) = raw.claim(&attacker, "jump-client").await;
    assert_eq!(
        status, 410,
        "no credential for a claimed machine id: {body}"
    );
    assert!(body.get("token").is_none());

    // The victim's own client cannot be handed a second one either (a replay of the claim).
    // The real agent's credential still opens its connection: nothing was revoked.
    assert_eq!(
        raw.ws_status(&format!("/api/v1/jump/agent?access_token={agent_token}"))
            .await,
        0,
        "the real agent still connects"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_credential_is_handed_out_once_and_ends_at_unpin() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (victim, session, agent_token, _) = pinned_victim(&raw, &alice).await;
    let (status, _) = raw.claim(&victim, "jump-client").await;
    assert_eq!(
        status, 410,
        "a second claim, even by the right session, is refused"
    );
    // Only those who may use the jump client see which computer it is.
    assert!(raw.snapshot(&alice).await.to_string().contains(VICTIM));
    let carol = raw.login("carol").await;
    let hers = raw.snapshot(&carol).await.to_string();
    assert!(
        hers.contains("jump_clients") && !hers.contains(VICTIM),
        "{hers}"
    );
    let mut agent = raw
        .ws(&format!("/api/v1/jump/agent?access_token={agent_token}"))
        .await
        .unwrap();
    raw.ok(&alice, json!({"UnpinJumpClient": {"session": session}}))
        .await;
    let (_, _, said) = super::raw::closed_after(
        &mut agent,
        std::time::Instant::now(),
        std::time::Duration::from_secs(5),
    )
    .await;
    assert!(
        said.iter().any(|m| m["kind"] == "unpinned"),
        "the agent is told it was unpinned: {said:?}"
    );
    assert_eq!(
        raw.ws_status(&format!("/api/v1/jump/agent?access_token={agent_token}"))
            .await,
        410,
        "the unpinned agent's credential opens nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_made_in_an_attackers_session_never_reaches_the_real_computer() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let bob = raw.login("bob").await;
    let me = raw.snapshot(&bob).await["view"]["me"].as_u64().unwrap();
    // A technician plays a customer claiming the victim's machine id, and pins it to their own
    // list, hoping the real computer installs that agent at its next session.
    let (_, planted) = raw.active_session(&bob, VICTIM).await;
    raw.ok(
        &bob,
        json!({"PinJumpClient": {"session": planted, "location": {"Personal": me}}}),
    )
    .await;
    // The real computer's next session (with another technician) sees no jump client to
    // install, and cannot be handed one.
    let alice = raw.login("alice").await;
    let (victim, _) = raw.active_session(&alice, VICTIM).await;
    let snapshot = raw.snapshot(&victim).await;
    assert_eq!(
        snapshot["view"]["session"]["jump_client"],
        Value::Null,
        "{snapshot}"
    );
    let (status, _) = raw.claim(&victim, "jump-client").await;
    assert_eq!(status, 410);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_button_press_needs_the_buttons_secret() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (customer_token, session) = raw.active_session(&alice, "kim-laptop").await;
    let button = raw.deploy_button(&alice, session).await;
    let (status, given) = raw.claim(&customer_token, "support-button").await;
    assert_eq!(status, 200, "{given}");
    let secret = given["secret"].as_str().unwrap().to_owned();
    let (again, _) = raw.claim(&customer_token, "support-button").await;
    assert_eq!(again, 410, "the secret is handed out once");

    let press = |button: u64, secret: &str| json!({"button": button, "secret": secret, "customer": customer("anyone")});
    let unknown = raw
        .post("/api/v1/customer/button", None, press(button + 1000, "x"))
        .await;
    let no_secret = raw
        .post(
            "/api/v1/customer/button",
            None,
            json!({"button": button, "customer": customer("anyone")}),
        )
        .await;
    let wrong = raw
        .post("/api/v1/customer/button", None, press(button, "guess"))
        .await;
    assert_eq!(wrong.0, 404, "{wrong:?}");
    assert_eq!(
        no_secret.0, 400,
        "a press without a secret is malformed: {no_secret:?}"
    );
    // A wrong secret is answered as a button that does not exist, but for its number.
    let strip = |v: &Value| {
        v["message"]
            .as_str()
            .unwrap_or_default()
            .replace(&(button + 1000).to_string(), "N")
            .replace(&button.to_string(), "N")
    };
    assert_eq!((wrong.0, strip(&wrong.1)), (unknown.0, strip(&unknown.1)));
    let queued_before = raw.snapshot(&alice).await["view"]["state"]["sessions"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(
        queued_before, 1,
        "no session was started by the refused presses"
    );

    let (status, joined) = raw
        .post("/api/v1/customer/button", None, press(button, &secret))
        .await;
    assert_eq!(
        status, 200,
        "the press with its secret starts a session: {joined}"
    );

    raw.ok(&alice, json!({"RemoveSupportButton": {"session": session}}))
        .await;
    let (status, _) = raw
        .post("/api/v1/customer/button", None, press(button, &secret))
        .await;
    assert_eq!(status, 404, "a removed button's secret starts nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn external_users_never_see_a_machine_id() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (_, session) = raw.active_session(&alice, VICTIM).await;
    let external = super::rights::external_joins(&raw, &alice, session).await;
    let snapshot = raw.snapshot(&external).await;
    assert!(
        !snapshot.to_string().contains(VICTIM),
        "the external user's snapshot names no machine: {snapshot}"
    );
    let mut feed = raw
        .ws(&format!("/api/v1/events?access_token={external}&since=0"))
        .await
        .unwrap();
    let mut seen = String::new();
    // The backlog from the start: the session's start (with the customer's machine) included.
    while let Ok(Some(m)) = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        super::raw::next_json(&mut feed),
    )
    .await
    {
        seen.push_str(&m.to_string());
    }
    assert!(!seen.is_empty(), "the backlog arrived");
    assert!(!seen.contains(VICTIM), "no event names the machine: {seen}");
}
