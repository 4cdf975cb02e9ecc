//! The customer client end to end, with the appliance and the client as their own processes and
//! a technician on the console core: the command shell (the customer's real shell runs what the
//! technician typed; whoever the rules do not allow is kept out), system information, and
//! click-to-chat becoming the full client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;
use support::{WAIT, join, read_until, said, shell_when_open, sign_in, take_session};
use tandem_core::client::{ClientError, ShellStream};
use tandem_core::domain::{Action, ClientMode, Command, Rule};
use tandem_e2e::Appliance;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_runs_a_command_in_the_customers_shell_and_reads_its_output() {
    let app = Appliance::start().await.unwrap();
    let (alice, dave) = (sign_in(&app, "alice").await, sign_in(&app, "dave").await);
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut customer = join(&app, home.path(), &key, &["--allow-all"]);
    let s = take_session(&alice).await;
    alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    // The customer client allows it (--allow-all answers the prompt) and starts the shell.
    let Some(mut shell) = shell_when_open(&alice, s).await else {
        panic!(
            "the shell never opened; the customer client said {:?} and logged {:?}; the appliance logged {:?}",
            said(home.path(), "customer.out"),
            said(home.path(), "customer.err"),
            app.log()
        )
    };
    shell
        .send(b"echo tandem-$((6*7)) in $(pwd)\n")
        .await
        .unwrap();
    let printed = read_until(&mut shell, "tandem-42 in ").await;
    assert!(
        printed.contains(&home.path().display().to_string()),
        "the shell runs in the customer's home: {printed:?}"
    );

    // The technician's terminal size reaches the customer's PTY.
    shell.resize(101, 31).await.unwrap();
    shell
        .send(b"echo size=$(stty size | tr ' ' x)\n")
        .await
        .unwrap();
    read_until(&mut shell, "size=31x101").await;

    // Dave is not in the session: the appliance keeps him out of the shell, answering as if the
    // session did not exist.
    let refused = ShellStream::open(dave.api(), s).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { status: 404, .. }),
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
/// and the appliance shows it only to whom the rules allow. (The client joins with the session
/// link here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_sees_the_customers_system_information() {
    let app = Appliance::start().await.unwrap();
    let (alice, dave) = (sign_in(&app, "alice").await, sign_in(&app, "dave").await);
    // This customer starts from the session link the technician sent, not a typed key.
    let link = alice.session_key(None).await.unwrap().url;
    assert!(link.contains("/customer?key="), "{link}");
    let home = tempfile::tempdir().unwrap();
    let _customer = support::customer(home.path())
        .args([
            "--link",
            &link,
            "--fingerprint",
            &app.fingerprint,
            "--name",
            "Kim",
            "--allow-all",
        ])
        .spawn()
        .unwrap();
    let s = take_session(&alice).await;
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
        matches!(&refused, ClientError::Refused { status: 404, .. }),
        "{refused}"
    );
    app.stop().await;
}

/// E1: a customer in click-to-chat mode has chat only; when the technician upgrades the client
/// and the customer accepts, the other tools become available.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_to_chat_becomes_the_full_client_when_the_customer_accepts() {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let _customer = join(&app, home.path(), &key, &["--click-to-chat", "--allow-all"]);
    let s = take_session(&alice).await;
    let menu = alice.current();
    let view = menu
        .actions(s)
        .into_iter()
        .find(|a| a.action == Action::ViewScreen)
        .unwrap();
    assert_eq!(
        view.denial.map(|d| d.rule),
        Some(Rule::E1),
        "chat only at first"
    );
    assert_eq!(view.remedy, Some(Action::UpgradeToFullClient));
    alice
        .command(Command::UpgradeToFullClient { session: s })
        .await
        .unwrap();
    let upgraded = alice
        .wait_for(WAIT, |m| {
            m.state.sessions[&s].customer.info.mode == ClientMode::Full
        })
        .await
        .unwrap();
    assert!(
        upgraded
            .actions(s)
            .iter()
            .any(|a| a.action == Action::ViewScreen && a.enabled())
    );
    app.stop().await;
}
