//! The forbidden paths of every credential kind on every route and stream: a technician of
//! another team, a sub-administrator, another session's customer and external user, a jump
//! client's agent credential and a support button's secret, each aimed at a session they have no
//! part in (and at the routes their kind may never use).
use super::raw::{Raw, customer};
use super::rights::external_joins;
use serde_json::{Value, json};
use tandem_e2e::Appliance;

/// What one attempt should get: refused, never served, never a server error.
fn refused(status: u16) -> bool {
    (400..500).contains(&status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_credential_kind_is_refused_outside_what_it_was_issued_for() {
    let app = Appliance::start().await.unwrap();
    let raw = Raw::new(&app);
    let alice = raw.login("alice").await;
    let (_, target) = raw.active_session(&alice, "target-pc").await;

    // Credentials of every kind, none of them for the target session.
    let bob = raw.login("bob").await;
    let (other_customer, other) = raw.active_session(&bob, "other-pc").await;
    let other_external = external_joins(&raw, &bob, other).await;
    raw.pin_personal(&bob, other).await;
    let (_, agent) = raw.claim(&other_customer, "jump-client").await;
    let agent = agent["token"].as_str().unwrap().to_owned();
    raw.deploy_button(&bob, other).await;
    let (_, button) = raw.claim(&other_customer, "support-button").await;
    let button = button["secret"].as_str().unwrap().to_owned();
    let carol = raw.login("carol").await; // another team
    let tom = raw.login("tom").await; // a sub-administrator, not in the session

    let attackers: [(&str, &str); 7] = [
        ("technician of another team", &carol),
        ("sub-administrator", &tom),
        ("team-mate not in the session", &bob),
        ("another session's customer", &other_customer),
        ("another session's external user", &other_external),
        ("jump client agent", &agent),
        ("support button secret", &button),
    ];
    let session_routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/api/v1/sessions/{target}/actions"), None),
        (
            "GET",
            format!("/api/v1/sessions/{target}/system-info"),
            None,
        ),
        (
            "POST",
            format!("/api/v1/sessions/{target}/elevate"),
            Some(json!({"method": "PromptCustomer"})),
        ),
        (
            "POST",
            "/api/v1/commands".into(),
            Some(json!({"SendChat": {"session": target, "text": "hi"}})),
        ),
        (
            "POST",
            "/api/v1/commands".into(),
            Some(json!({"StartShell": {"session": target}})),
        ),
        (
            "POST",
            "/api/v1/commands".into(),
            Some(json!({"EndSession": {"session": target}})),
        ),
        (
            "POST",
            "/api/v1/commands".into(),
            Some(json!({"RemoveMember": {"session": target, "member": "Customer"}})),
        ),
        (
            "POST",
            "/api/v1/commands".into(),
            Some(json!({"AcceptFromQueue": {"session": target}})),
        ),
        ("WS", format!("/api/v1/sessions/{target}/shell"), None),
        ("WS", format!("/api/v1/sessions/{target}/screen"), None),
    ];
    let mut tried = 0;
    for (who, token) in attackers {
        for (method, path, body) in &session_routes {
            let status = match *method {
                "GET" => raw.get(path, Some(token)).await.0,
                "POST" => {
                    raw.post(path, Some(token), body.clone().unwrap_or(json!({})))
                        .await
                        .0
                }
                _ => raw.ws_status(&format!("{path}?access_token={token}")).await,
            };
            tried += 1;
            assert!(
                refused(status),
                "{who}: {method} {path} {body:?} got {status}"
            );
        }
    }

    // Routes a kind of credential may never use.
    let kind_routes: Vec<(&str, &str, &str, Value)> = vec![
        (
            "customer",
            &other_customer,
            "/api/v1/session-keys",
            json!({}),
        ),
        (
            "customer",
            &other_customer,
            "/api/v1/admin/technicians",
            json!({"name": "X", "email": "x@x.example", "role": "Technician", "password": "violet kettle drums marching"}),
        ),
        (
            "external",
            &other_external,
            "/api/v1/session-keys",
            json!({}),
        ),
        (
            "external",
            &other_external,
            "/api/v1/customer/jump-client",
            json!({}),
        ),
        (
            "external",
            &other_external,
            "/api/v1/customer/system-info",
            json!({}),
        ),
        (
            "technician",
            &alice,
            "/api/v1/customer/jump-client",
            json!({}),
        ),
        (
            "technician",
            &alice,
            "/api/v1/customer/support-button",
            json!({}),
        ),
        (
            "technician",
            &alice,
            "/api/v1/admin/technicians",
            json!({"name": "X", "email": "x@x.example", "role": "Technician", "password": "violet kettle drums marching"}),
        ),
        ("jump agent", &agent, "/api/v1/session-keys", json!({})),
        (
            "jump agent",
            &agent,
            "/api/v1/customer/jump-client",
            json!({}),
        ),
        ("jump agent", &agent, "/api/v1/logout", json!({})),
        (
            "button secret",
            &button,
            "/api/v1/customer/support-button",
            json!({}),
        ),
        ("button secret", &button, "/api/v1/session-keys", json!({})),
    ];
    for (who, token, path, body) in kind_routes {
        let (status, answer) = raw.post(path, Some(token), body).await;
        tried += 1;
        assert!(refused(status), "{who}: POST {path} got {status}: {answer}");
    }
    for (who, token) in [("jump agent", &agent), ("button secret", &button)] {
        assert_eq!(
            raw.get("/api/v1/snapshot", Some(token)).await.0,
            401,
            "{who}"
        );
        assert_eq!(
            raw.ws_status(&format!("/api/v1/events?access_token={token}"))
                .await,
            401,
            "{who}"
        );
        tried += 2;
    }
    for (who, token) in [
        ("technician", &alice),
        ("customer", &other_customer),
        ("external", &other_external),
        ("button secret", &button),
    ] {
        assert_eq!(
            raw.ws_status(&format!("/api/v1/jump/agent?access_token={token}"))
                .await,
            410,
            "{who} cannot pose as a jump agent"
        );
        tried += 1;
    }
    // Provided credentials are one line for sudo: a line break would reach the elevated client
    // as if the customer had typed it.
    let (status, _) = raw
        .post(
            &format!("/api/v1/sessions/{target}/elevate"),
            Some(&alice),
            json!({"method": "ProvideCredentials", "username": "kim", "password": "pw\ny\ny"}),
        )
        .await;
    assert_eq!(status, 400, "a password with a line break");
    // A button secret is not a bearer token, and a bearer token is not a button secret.
    let (status, _) = raw
        .post(
            "/api/v1/customer/button",
            None,
            json!({"button": 1, "secret": other_customer, "customer": customer("m")}),
        )
        .await;
    assert_eq!(status, 404);
    println!("forbidden paths tried: {tried}, all refused");
    // The target session was untouched by all of it.
    let actions = raw
        .get(&format!("/api/v1/sessions/{target}/actions"), Some(&alice))
        .await;
    assert_eq!(actions.0, 200);
    let snapshot = raw.snapshot(&alice).await;
    let s = &snapshot["view"]["state"]["sessions"][target.to_string()];
    assert_eq!(s["status"], "Active", "{s}");
    assert_eq!(s["shell"], false);
}
