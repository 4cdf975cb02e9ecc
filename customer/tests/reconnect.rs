//! Customers' connections that drop and come back (issue 12), with the real appliance, the real
//! customer client as its own process, and a technician on the console core: a client killed
//! outright is shown as waited for, with its tools greyed and why (A3), then as gone; a network
//! cut and restored brings the client back into the same session with every chat line once on
//! both sides; a client started again with the same key rejoins. Times are printed, not
//! asserted (they are figures for the closing note; the bounds are what the tests wait for).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::{WAIT, customer, said, sign_in, take_session};
use tandem_core::client::{Console, Mirror};
use tandem_core::domain::{Action, Command, CustomerGone, CustomerLink, Participant, SessionId};
use tandem_e2e::{Appliance, Proxy};
use tokio::io::AsyncWriteExt;
use tokio::process::Child;

/// The customer client joining through `port` (the appliance's, or a proxy's).
fn join_via(app: &Appliance, port: u16, home: &Path, key: &str) -> Child {
    customer(home)
        .args([
            "--url",
            &format!("https://localhost:{port}/"),
            "--fingerprint",
            &app.fingerprint,
            "--key",
            key,
            "--name",
            "Kim",
            "--allow-all",
        ])
        .spawn()
        .unwrap()
}

fn link(m: &Mirror, s: SessionId) -> Option<CustomerLink> {
    m.state
        .sessions
        .get(&s)
        .filter(|x| x.customer.connected)
        .map(|x| x.customer.link)
}

fn greyed(m: &Mirror, s: SessionId, action: Action) -> Option<String> {
    m.actions(s)
        .into_iter()
        .find(|a| a.action == action)
        .and_then(|a| a.denial)
        .map(|d| d.to_string())
}

/// The installations of sessions' clients left in this home.
fn installations(home: &Path) -> Vec<String> {
    std::fs::read_dir(home.join(".local/share/tandem/customer-client"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Wait until the customer client printed `needle` `times` times.
async fn printed(home: &Path, needle: &str, times: usize) {
    let deadline = Instant::now() + WAIT;
    while said(home, "customer.out").matches(needle).count() < times && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        said(home, "customer.out").matches(needle).count(),
        times,
        "{needle:?}; the client printed {:?} and logged {:?}",
        said(home, "customer.out"),
        said(home, "customer.err")
    );
}

async fn chat(technician: &Console, s: SessionId, text: &str) {
    technician
        .command(Command::SendChat {
            session: s,
            text: text.into(),
        })
        .await
        .unwrap();
}

fn customer_lines(m: &Mirror, s: SessionId, text: &str) -> usize {
    m.chat
        .get(&s)
        .into_iter()
        .flatten()
        .filter(|l| l.from == Participant::Customer && l.text == text)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_customer_client_is_waited_for_with_its_tools_greyed_then_shown_as_gone() {
    let app = Appliance::start_with(&["--customer-grace-seconds", "3"])
        .await
        .unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut client = join_via(&app, app.addr.port(), home.path(), &key);
    let s = take_session(&alice).await;
    printed(home.path(), "is helping you", 1).await;
    assert_eq!(
        installations(home.path()).len(),
        1,
        "the client runs installed"
    );

    // SIGKILL: no goodbye, the kernel closes its sockets.
    let killed = Instant::now();
    client.start_kill().unwrap();
    let _ = client.wait().await;
    let waiting = alice
        .wait_for(WAIT, |m| {
            matches!(link(m, s), Some(CustomerLink::Reconnecting { .. }))
        })
        .await
        .unwrap_or_else(|e| panic!("never shown as reconnecting: {e}; {}", app.log()));
    let shown_after = killed.elapsed();
    // A3: the tools are greyed, with the reason, while the session waits.
    for action in [Action::ViewScreen, Action::CommandShell, Action::SystemInfo] {
        let why = greyed(&waiting, s, action);
        assert!(
            why.as_deref()
                .is_some_and(|w| w.contains("connection dropped")),
            "{action:?}: {why:?}"
        );
    }
    assert!(
        greyed(&waiting, s, Action::SendChat).is_none(),
        "chat stays open"
    );
    let refused = alice.command(Command::StartShell { session: s }).await;
    assert!(refused.is_err(), "the appliance refuses what is greyed");

    // After the wait (3 s here), the session says the customer left; the technician keeps it.
    let gone = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| !x.customer.connected)
        })
        .await
        .unwrap();
    let gone_after = killed.elapsed();
    let session = &gone.state.sessions[&s];
    assert_eq!(session.customer.gone, Some(CustomerGone::ConnectionLost));
    assert_eq!(
        session.owner,
        Some(gone.me),
        "the technician keeps the session"
    );
    println!(
        "killed customer client: shown as reconnecting after {} ms, as gone after {} ms (wait 3 s)",
        shown_after.as_millis(),
        gone_after.as_millis()
    );

    // Killed outright, it could not remove its installation; the next run (here one with a
    // used-up key, which fails) sweeps it, and leaves none of its own.
    assert_eq!(installations(home.path()).len(), 1);
    let again = customer(home.path())
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
            "--key",
            "000000000",
            "--name",
            "Kim",
        ])
        .output()
        .await
        .unwrap();
    assert!(!again.status.success());
    assert!(
        installations(home.path()).is_empty(),
        "left behind: {:?}",
        installations(home.path())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_whose_network_is_cut_comes_back_into_the_same_session_with_every_line_once() {
    let app = Appliance::start().await.unwrap();
    let proxy = Proxy::start(app.addr).await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut client = join_via(&app, proxy.addr.port(), home.path(), &key);
    let mut typing = client.stdin.take().unwrap();
    let s = take_session(&alice).await;
    printed(home.path(), "is helping you", 1).await;

    typing.write_all(b"before the cut\n").await.unwrap();
    chat(&alice, s, "tech line one").await;
    printed(home.path(), "] tech line one", 1).await;
    alice
        .wait_for(WAIT, |m| customer_lines(m, s, "before the cut") == 1)
        .await
        .unwrap();

    // The network goes: both directions, every open connection, and no new ones.
    let cut = Instant::now();
    proxy.cut().await;
    alice
        .wait_for(WAIT, |m| {
            matches!(link(m, s), Some(CustomerLink::Reconnecting { .. }))
        })
        .await
        .unwrap();
    let noticed = cut.elapsed();
    // Said while the customer is away: the technician's line waits in the session, the
    // customer's line waits in the client.
    chat(&alice, s, "tech line two").await;
    typing.write_all(b"typed while cut off\n").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let restored = Instant::now();
    proxy.restore();
    alice
        .wait_for(Duration::from_secs(30), |m| {
            link(m, s) == Some(CustomerLink::Online)
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "never back: {e}; the client printed {:?} and logged {:?}",
                said(home.path(), "customer.out"),
                said(home.path(), "customer.err")
            )
        });
    let back = restored.elapsed();
    let m = alice
        .wait_for(WAIT, |m| customer_lines(m, s, "typed while cut off") >= 1)
        .await
        .unwrap();
    printed(home.path(), "] tech line two", 1).await;
    chat(&alice, s, "tech line three").await;
    printed(home.path(), "] tech line three", 1).await;

    // Every line once on both sides, in the same session, without a new key.
    assert_eq!(customer_lines(&m, s, "before the cut"), 1);
    assert_eq!(customer_lines(&m, s, "typed while cut off"), 1);
    printed(home.path(), "] tech line one", 1).await;
    printed(home.path(), "] tech line two", 1).await;
    printed(home.path(), "Reconnected", 1).await;
    assert_eq!(
        alice.current().state.sessions.len(),
        1,
        "no second session was started"
    );
    println!(
        "customer behind a cut network: shown as reconnecting {} ms after the cut, back {} ms after the network returned",
        noticed.as_millis(),
        back.as_millis()
    );
    let _ = client.start_kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_client_started_again_with_the_same_key_rejoins_the_session() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut first = join_via(&app, app.addr.port(), home.path(), &key);
    let s = take_session(&alice).await;
    printed(home.path(), "is helping you", 1).await;
    first.start_kill().unwrap();
    let _ = first.wait().await;
    alice
        .wait_for(WAIT, |m| {
            matches!(link(m, s), Some(CustomerLink::Reconnecting { .. }))
        })
        .await
        .unwrap();

    // Said while the client was down (issue 26: it was never shown after the restart).
    chat(&alice, s, "Are you still there?").await;
    // The same command again (a reboot, a crash): the key is used up, yet it rejoins.
    let restarted = Instant::now();
    let mut second = join_via(&app, app.addr.port(), home.path(), &key);
    let mut typing = second.stdin.take().unwrap();
    alice
        .wait_for(WAIT, |m| link(m, s) == Some(CustomerLink::Online))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "never rejoined: {e}; the client printed {:?} and logged {:?}",
                said(home.path(), "customer.out"),
                said(home.path(), "customer.err")
            )
        });
    println!(
        "customer client restarted with the same key: back in its session after {} ms",
        restarted.elapsed().as_millis()
    );
    printed(home.path(), "Earlier in this session:", 1).await;
    printed(home.path(), "Are you still there?", 1).await;
    typing.write_all(b"I am back\n").await.unwrap();
    alice
        .wait_for(WAIT, |m| customer_lines(m, s, "I am back") == 1)
        .await
        .unwrap();
    assert_eq!(alice.current().state.sessions.len(), 1);

    // The technician ends the session: the client leaves, and the key rejoins nothing.
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let ended = tokio::time::timeout(WAIT, second.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(
        ended.success(),
        "the client printed {:?} and logged {:?}; the appliance logged {}",
        said(home.path(), "customer.out"),
        said(home.path(), "customer.err"),
        app.log()
    );
    let third = customer(home.path())
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
            "--key",
            &key,
            "--name",
            "Kim",
        ])
        .output()
        .await
        .unwrap();
    assert!(!third.status.success(), "an ended session is not rejoined");
    assert!(installations(home.path()).is_empty());
}

/// Issue 26: a customer who presses Ctrl+C, closes the terminal or is sent SIGTERM leaves the
/// session at once (before, the technician read "reconnecting" for the 180 s the appliance
/// waits for a customer), and the copy installed for the session is removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_who_presses_ctrl_c_closes_the_terminal_or_is_stopped_leaves_at_once() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    for signal in ["INT", "HUP", "TERM"] {
        let key = alice.session_key(None).await.unwrap().key;
        let home = tempfile::tempdir().unwrap();
        let mut client = join_via(&app, app.addr.port(), home.path(), &key);
        let s = take_session(&alice).await;
        printed(home.path(), "is helping you", 1).await;
        let installed = installations(home.path());
        let pid = client.id().unwrap().to_string();
        let sent = Instant::now();
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(status.success());
        alice
            .wait_for(WAIT, |m| {
                m.state
                    .sessions
                    .get(&s)
                    .is_some_and(|x| x.customer.gone == Some(CustomerGone::Left))
            })
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "SIG{signal}: never shown as left: {e}; the client printed {:?} and logged {:?}",
                    said(home.path(), "customer.out"),
                    said(home.path(), "customer.err")
                )
            });
        println!(
            "SIG{signal}: the technician saw the customer leave after {} ms (the appliance would wait 180 s for a dropped one)",
            sent.elapsed().as_millis()
        );
        let ended = tokio::time::timeout(WAIT, client.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(ended.success(), "SIG{signal}: {ended:?}");
        assert!(
            said(home.path(), "customer.out").contains("Leaving the session"),
            "{}",
            said(home.path(), "customer.out")
        );
        println!(
            "SIG{signal}: installed before {installed:?}, after {:?}",
            installations(home.path())
        );
        assert!(
            installations(home.path()).is_empty(),
            "SIG{signal}: the copy is removed"
        );
        alice
            .command(Command::EndSession { session: s })
            .await
            .unwrap();
        alice
            .wait_for(WAIT, |m| m.state.sessions.is_empty())
            .await
            .unwrap();
    }
}

/// Issue 26: a customer's token copied to another computer opens nothing there. The real client
/// made a key at join and the appliance bound the token to it; the token alone (as it sits in
/// the client's rejoin file, or as a log or a proxy might show it) is refused for the feed, for
/// commands and for hosting the shell (before, it silently replaced the real client as the
/// shell's host and received what the technician typed), and so is a proof made with another
/// key. The real client's shell goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_token_copied_to_another_computer_opens_nothing_there() {
    use tandem_core::client::{Api, ClientError, ProofKey, open_stream};
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let _client = join_via(&app, app.addr.port(), home.path(), &key);
    let s = take_session(&alice).await;
    alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    let mut shell = support::shell_when_open(&alice, s).await.unwrap();
    // The token as the client keeps it for a restart.
    let dir = home.path().join(".local/share/tandem/rejoin");
    let saved = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(saved).unwrap()).unwrap();
    let token = saved["token"].as_str().unwrap().to_owned();
    assert!(
        saved["proof"].is_string(),
        "the key is kept beside the token"
    );

    let refused = |r: Result<(), ClientError>| match r {
        Err(ClientError::Refused { status, .. }) => status,
        other => panic!("not refused: {other:?}"),
    };
    let elsewhere = Api::new(app.endpoint().unwrap())
        .unwrap()
        .with_token(token.clone());
    let forged = elsewhere.with_proof(ProofKey::generate().unwrap());
    for (who, api) in [("the token alone", &elsewhere), ("another key", &forged)] {
        assert_eq!(
            refused(api.snapshot().await.map(|_| ())),
            401,
            "{who}: the feed"
        );
        assert_eq!(
            refused(
                api.command(&Command::SendChat {
                    session: s,
                    text: "Type your password here".into()
                })
                .await
                .map(|_| ())
            ),
            401,
            "{who}: a command"
        );
        let host = open_stream(api, &format!("api/v1/sessions/{}/shell", s.0)).await;
        assert_eq!(refused(host.map(|_| ())), 401, "{who}: hosting the shell");
    }
    // The real client still hosts the shell.
    shell.send(b"echo still-the-real-computer\n").await.unwrap();
    support::read_until(&mut shell, "still-the-real-computer").await;
}

/// Issue 26: a second support client joining a session with its credential while the first is
/// connected (here the same key started again on the same computer; elsewhere it would need the
/// key too) is told to the technician.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_client_joining_with_the_sessions_credential_is_told_to_the_technician() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let _first = join_via(&app, app.addr.port(), home.path(), &key);
    let s = take_session(&alice).await;
    printed(home.path(), "is helping you", 1).await;
    let again = tempfile::tempdir().unwrap();
    // The same home's rejoin file, in another process: the session's token and key.
    std::fs::create_dir_all(again.path().join(".local/share")).unwrap();
    let copy = std::process::Command::new("cp")
        .args(["-a"])
        .arg(home.path().join(".local/share/tandem"))
        .arg(again.path().join(".local/share/"))
        .status()
        .unwrap();
    assert!(copy.success());
    let _second = join_via(&app, app.addr.port(), again.path(), &key);
    let told = alice
        .wait_for(WAIT, |m| {
            m.notices.iter().any(|n| {
                n.text
                    .starts_with("A second support client joined the session of Kim")
            })
        })
        .await;
    assert!(
        told.is_ok(),
        "the technician is told; notices: {:?}",
        alice.current().notices
    );
    assert!(alice.current().state.sessions.contains_key(&s));
}
