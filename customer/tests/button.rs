//! The Support Button end to end (B1): deployed by the technician, installed by the customer
//! client as a desktop launcher with its configuration; the launcher starts a session straight
//! into the button's queue until the button expires; removing the button deletes both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::{WAIT, customer, join, sign_in, take_session};
use tandem_core::domain::{Command, QueueRef, SessionStatus, Timestamp};
use tandem_e2e::Appliance;

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_button_starts_sessions_into_its_queue_until_it_expires() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let me = alice.current().me;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let _first = join(&app, home.path(), &key, &["--allow-all"]);
    let s = take_session(&alice).await;

    let profile = *alice.current().state.button_profiles.keys().next().unwrap();
    let expires_at = now_ms() + 4000;
    let deployed = alice
        .command(Command::DeploySupportButton {
            session: s,
            name: "Call Alice".into(),
            expires_at: Timestamp(expires_at),
            profile,
            queue: QueueRef::Personal(me),
        })
        .await
        .unwrap();
    let button = deployed.events.iter().find_map(|p| match &p.event {
        tandem_core::domain::Event::SupportButtonDeployed { button, .. } => Some(button.id),
        _ => None,
    });
    let button = button.unwrap();
    let launcher = home.path().join(format!(
        ".local/share/applications/tandem-support-{}.desktop",
        button.0
    ));
    let config = home
        .path()
        .join(format!(".config/tandem/support-button-{}.json", button.0));
    support::until_file(&launcher, true).await;
    let entry = std::fs::read_to_string(&launcher).unwrap();
    assert!(
        entry.contains("Name=Call Alice")
            && entry.contains(&format!("--button-config \"{}\"", config.display())),
        "{entry}"
    );

    // Pressing the button: a new session arrives straight in Alice's personal queue.
    let _pressed = customer(home.path())
        .args(["--button-config"])
        .arg(&config)
        .args(["--name", "Kim", "--allow-all"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let via_button = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .values()
                .any(|x| x.id != s && x.status == SessionStatus::Queued(QueueRef::Personal(me)))
        })
        .await
        .unwrap();
    assert!(
        via_button
            .state
            .sessions
            .values()
            .any(|x| x.id != s && x.customer.info.name == "Kim")
    );

    // After its expiration the button starts no session.
    tokio::time::sleep_until(
        tokio::time::Instant::now()
            + Duration::from_millis(expires_at.saturating_sub(now_ms()) + 200),
    )
    .await;
    let late = customer(home.path())
        .args(["--button-config"])
        .arg(&config)
        .args(["--name", "Kim"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap();
    assert!(!late.status.success());
    let said = String::from_utf8_lossy(&late.stderr);
    assert!(
        said.contains("This support button has expired (B1)"),
        "{said}"
    );

    // Removing it deletes the launcher, its configuration and (no other button being left) the
    // program copy the launcher ran (issue 26: the copy stayed behind).
    let program = home.path().join(".local/share/tandem/support-button");
    assert!(program.exists(), "the button runs a copy of its own");
    alice
        .command(Command::RemoveSupportButton { session: s })
        .await
        .unwrap();
    support::until_file(&launcher, false).await;
    support::until_file(&config, false).await;
    support::until_file(&program, false).await;
    app.stop().await;
}
