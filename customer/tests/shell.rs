//! The command shell end to end: the appliance and the customer client as their own processes,
//! a technician on the console core. The customer's real shell runs a command the technician
//! typed, and the technician reads its output; whoever the rules do not allow is kept out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Stdio;
use std::time::Duration;
use tandem_core::client::{ClientError, Console, FeedOptions, ShellStream};
use tandem_core::domain::{Command, SessionId};
use tandem_e2e::Appliance;
use tokio::process::Command as Process;

const PASSWORD: &str = "tandem-demo-2026";
const WAIT: Duration = Duration::from_secs(10);

async fn read_until(shell: &mut ShellStream, needle: &str) -> String {
    let mut seen = String::new();
    let found = tokio::time::timeout(WAIT, async {
        while let Some(bytes) = shell.recv().await {
            seen.push_str(&String::from_utf8_lossy(&bytes));
            if seen.contains(needle) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(found, Ok(true)),
        "{needle:?} never appeared; the shell printed {seen:?}"
    );
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_runs_a_command_in_the_customers_shell_and_reads_its_output() {
    let app = Appliance::start().await.unwrap();
    let options = FeedOptions::default();
    let alice = Console::sign_in(
        app.endpoint().unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        options,
    )
    .await
    .unwrap();
    let dave = Console::sign_in(
        app.endpoint().unwrap(),
        "dave@demo.tandem",
        PASSWORD,
        options,
    )
    .await
    .unwrap();
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut customer = Process::new(env!("CARGO_BIN_EXE_tandem-customer"))
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
        ])
        .args(["--key", &key, "--name", "Kim", "--allow-all"])
        .env("SHELL", "/bin/sh")
        .env("HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(
            std::fs::File::create(home.path().join("customer.out")).unwrap(),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(home.path().join("customer.err")).unwrap(),
        ))
        .env("TANDEM_LOG", "info")
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let queued = alice
        .wait_for(WAIT, |m| !m.state.sessions.is_empty())
        .await
        .unwrap();
    let s: SessionId = *queued.state.sessions.keys().next().unwrap();
    alice
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    // The customer client allows it (--allow-all answers the prompt) and starts the shell.
    let opened = alice
        .wait_for(WAIT, |m| m.state.sessions.get(&s).is_some_and(|x| x.shell))
        .await;
    let said = |f: &str| std::fs::read_to_string(home.path().join(f)).unwrap_or_default();
    assert!(
        opened.is_ok(),
        "the shell never opened; the customer client said {:?} and logged {:?}; the appliance logged {:?}",
        said("customer.out"),
        said("customer.err"),
        app.log()
    );

    let mut shell = ShellStream::open(alice.api(), s).await.unwrap();
    shell
        .send(b"echo tandem-$((6*7)) in $(pwd)\n")
        .await
        .unwrap();
    let printed = read_until(&mut shell, "tandem-42 in ").await;
    assert!(
        printed.contains(&home.path().display().to_string()),
        "the shell runs in the customer's home: {printed:?}"
    );

    // Dave is not in the session: the appliance keeps him out of the shell.
    let refused = ShellStream::open(dave.api(), s).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { status: 403, .. }),
        "{refused}"
    );

    // Closing the shell ends the technician's stream.
    alice
        .command(Command::StopShell { session: s })
        .await
        .unwrap();
    let ended = tokio::time::timeout(WAIT, async { while shell.recv().await.is_some() {} }).await;
    assert!(ended.is_ok(), "the stream closes with the shell");
    let refused = ShellStream::open(alice.api(), s).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { rule: Some(r), .. } if r == "A1"),
        "{refused}"
    );

    // Ending the session tells the customer client to leave.
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let status = tokio::time::timeout(WAIT, customer.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "the customer client ends with the session"
    );
    app.stop().await;
}

/// System information (A1): the technician asks, the customer client reports its real computer,
/// and the appliance shows it only to whom the rules allow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_sees_the_customers_system_information() {
    let app = Appliance::start().await.unwrap();
    let options = FeedOptions::default();
    let alice = Console::sign_in(
        app.endpoint().unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        options,
    )
    .await
    .unwrap();
    let dave = Console::sign_in(
        app.endpoint().unwrap(),
        "dave@demo.tandem",
        PASSWORD,
        options,
    )
    .await
    .unwrap();
    let key = alice.session_key(None).await.unwrap().key;
    let _customer = Process::new(env!("CARGO_BIN_EXE_tandem-customer"))
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
        ])
        .args(["--key", &key, "--name", "Kim", "--allow-all"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let queued = alice
        .wait_for(WAIT, |m| !m.state.sessions.is_empty())
        .await
        .unwrap();
    let s: SessionId = *queued.state.sessions.keys().next().unwrap();
    alice
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    alice
        .command(Command::ViewSystemInfo { session: s })
        .await
        .unwrap();

    // The customer client reports in the background; the console asks until it has arrived.
    let deadline = tokio::time::Instant::now() + WAIT;
    let info = loop {
        match alice.api().system_info(s).await {
            Ok(info) => break info,
            Err(ClientError::Refused { status: 410, .. })
                if tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no system information: {e}"),
        }
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(info.host, host.trim(), "this very computer");
    assert!(
        info.memory_total_mib > 0 && info.cpu_count > 0 && !info.kernel.is_empty(),
        "{info:?}"
    );
    assert!(
        info.interfaces
            .iter()
            .any(|i| i.addresses.iter().any(|a| a.starts_with("127.0.0.1/"))),
        "{:?}",
        info.interfaces
    );
    let refused = dave.api().system_info(s).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { status: 403, .. }),
        "{refused}"
    );
    app.stop().await;
}

/// E1: a customer in click-to-chat mode has chat only; when the technician upgrades the client
/// and the customer accepts, the other tools become available.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_to_chat_becomes_the_full_client_when_the_customer_accepts() {
    let app = Appliance::start().await.unwrap();
    let alice = Console::sign_in(
        app.endpoint().unwrap(),
        "alice@demo.tandem",
        PASSWORD,
        FeedOptions::default(),
    )
    .await
    .unwrap();
    let key = alice.session_key(None).await.unwrap().key;
    let _customer = Process::new(env!("CARGO_BIN_EXE_tandem-customer"))
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
        ])
        .args([
            "--key",
            &key,
            "--name",
            "Kim",
            "--click-to-chat",
            "--allow-all",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let queued = alice
        .wait_for(WAIT, |m| !m.state.sessions.is_empty())
        .await
        .unwrap();
    let s: SessionId = *queued.state.sessions.keys().next().unwrap();
    alice
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    let menu = alice
        .wait_for(WAIT, |m| m.state.sessions[&s].owner == Some(m.me))
        .await
        .unwrap();
    let view = menu
        .actions(s)
        .into_iter()
        .find(|a| a.action == tandem_core::domain::Action::ViewScreen)
        .unwrap();
    assert_eq!(
        view.denial.map(|d| d.rule),
        Some(tandem_core::domain::Rule::E1),
        "chat only at first"
    );
    assert_eq!(
        view.remedy,
        Some(tandem_core::domain::Action::UpgradeToFullClient)
    );
    alice
        .command(Command::UpgradeToFullClient { session: s })
        .await
        .unwrap();
    let upgraded = alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&s].customer.info.mode == tandem_core::domain::ClientMode::Full
        })
        .await
        .unwrap();
    assert!(
        upgraded
            .actions(s)
            .iter()
            .any(|a| a.action == tandem_core::domain::Action::ViewScreen && a.enabled())
    );
    app.stop().await;
}
