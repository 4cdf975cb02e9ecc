//! Elevation on Linux end to end (E2, E3): the test makes a throwaway user who may use sudo and
//! runs the customer client as that user. The technician provides credentials: a wrong password
//! is refused and leaves the session as it was; the right one restarts the client as root, which
//! carries on the same session (a shell opened afterwards runs as root).
//!
//! Making a user needs root: the test says so plainly when run without it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use support::{WAIT, read_until, shell_when_open, sign_in, take_session};
use tandem_core::domain::{ClientMode, ElevationMethod, PromptKind};
use tandem_e2e::Appliance;

/// A Linux user made for one test, with a password and the right to use sudo; removed on drop.
struct ThrowawayUser {
    name: String,
    password: String,
    home: PathBuf,
}

/// Whether the tests run as root; otherwise they need passwordless sudo (`sudo -n`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .is_some_and(|ids| ids.split_whitespace().next() == Some("0"))
    })
}

/// [program] with root's rights: directly as root, else through passwordless sudo.
fn as_root(program: &str) -> std::process::Command {
    if is_root() {
        std::process::Command::new(program)
    } else {
        let mut sudo = std::process::Command::new("sudo");
        sudo.args(["-n", program]);
        sudo
    }
}

fn run(program: &str, args: &[&str], stdin: Option<&str>) {
    use std::io::Write;
    let mut child = as_root(program)
        .args(args)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{program} {args:?} failed: {status}");
}

impl ThrowawayUser {
    fn create() -> Self {
        assert!(
            is_root() || as_root("true").status().is_ok_and(|s| s.success()),
            "this test creates a Linux user: run it as root (CI does) or with passwordless sudo"
        );
        static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("tandem-e2e-{}-{n}", std::process::id());
        let password = format!("Pw-{}-{n}-elevate", std::process::id());
        run(
            "useradd",
            &["--create-home", "--shell", "/bin/sh", &name],
            None,
        );
        run("chpasswd", &[], Some(&format!("{name}:{password}\n")));
        let sudoers = format!("/etc/sudoers.d/{name}");
        run(
            "install",
            &["-m", "0440", "/dev/stdin", &sudoers],
            Some(&format!("{name} ALL=(ALL:ALL) ALL\n")),
        );
        Self {
            home: PathBuf::from(format!("/home/{name}")),
            name,
            password,
        }
    }
}

impl Drop for ThrowawayUser {
    fn drop(&mut self) {
        let _ = as_root("rm")
            .args(["-f", &format!("/etc/sudoers.d/{}", self.name)])
            .status();
        // userdel refuses while the user's processes run: stop them, then try a few times.
        for _ in 0..20 {
            let _ = as_root("pkill").args(["-9", "-u", &self.name]).status();
            let removed = as_root("userdel")
                .args(["--remove", &self.name])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if removed {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// The customer client run by [user] from a copy they can read (as a downloaded client would
/// be), joining with [key]; what it says goes to `customer.out` in the returned directory.
fn run_as(
    user: &ThrowawayUser,
    app: &Appliance,
    key: &str,
    extra: &[&str],
) -> (tokio::process::Child, tempfile::TempDir) {
    let downloads = tempfile::tempdir().unwrap();
    std::fs::set_permissions(downloads.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let program = downloads.path().join("tandem-customer");
    std::fs::copy(env!("CARGO_BIN_EXE_tandem-customer"), &program).unwrap();
    let out = std::fs::File::create(downloads.path().join("customer.out")).unwrap();
    let err = std::fs::File::create(downloads.path().join("customer.err")).unwrap();
    let mut customer = if is_root() {
        let mut c = tokio::process::Command::new("runuser");
        c.args(["-u", &user.name, "--"]);
        c
    } else {
        let mut c = tokio::process::Command::new("sudo");
        c.args(["-n", "-u", &user.name, "--"]);
        c
    };
    let customer = customer
        .arg("env")
        .arg(format!("HOME={}", user.home.display()))
        .args(["SHELL=/bin/sh", "TANDEM_LOG=info"])
        .arg(&program)
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
        ])
        .args(["--key", key, "--name", "Kim"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(out)
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    (customer, downloads)
}

fn said_in(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("customer.out")).unwrap_or_default()
}

/// Once the customer allowed the shell, runs [command] in it and returns what it printed,
/// once [needle] appeared.
async fn run_in_shell(
    alice: &tandem_core::client::Console,
    s: tandem_core::domain::SessionId,
    command: &[u8],
    needle: &str,
) -> String {
    let mut shell = shell_when_open(alice, s)
        .await
        .expect("the shell never opened");
    shell.send(command).await.unwrap();
    read_until(&mut shell, needle).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asked_for_administrative_rights_the_customer_types_their_own_password() {
    use tokio::io::AsyncWriteExt;
    let user = ThrowawayUser::create();
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    // No answering flag: the customer answers at the terminal.
    let (mut customer, downloads) = run_as(&user, &app, &key, &[]);
    let dir = downloads.path();
    let mut typing = customer.stdin.take().unwrap();
    let s = take_session(&alice).await;
    support::until_said(dir, "Connected to session").await;

    alice
        .command(tandem_core::domain::Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        })
        .await
        .unwrap();
    support::until_said(dir, "administrative rights. Allow? [y/N]").await;
    typing.write_all(b"y\n").await.unwrap();
    support::until_said(dir, &format!("Type the password of {}", user.name)).await;
    typing
        .write_all(format!("{}\n", user.password).as_bytes())
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.customer.info.mode == ClientMode::Elevated)
        })
        .await
        .unwrap_or_else(|_| panic!("never elevated; the customer said {:?}", said_in(dir)));

    // The elevated client asks before the shell, through the same terminal, and runs it as root.
    alice
        .command(tandem_core::domain::Command::StartShell { session: s })
        .await
        .unwrap();
    support::until_said(dir, "open a command shell on this computer. Allow? [y/N]").await;
    typing.write_all(b"y\n").await.unwrap();
    let printed = run_in_shell(&alice, s, b"echo uid=$(id -u)-done\n", "uid=0-done").await;
    assert!(printed.contains("uid=0-done"), "{printed:?}");
    assert!(
        !said_in(dir).contains(&user.password),
        "the password is never shown back"
    );
    // The elevated client taking over is no "second client" (issue 26's notice).
    assert!(
        alice.current().notices.is_empty(),
        "{:?}",
        alice.current().notices
    );

    // End: the root client hears it and is gone, not left retrying after the test.
    alice
        .command(tandem_core::domain::Command::EndSession { session: s })
        .await
        .unwrap();
    support::until_said(dir, "The technician ended the session.").await;
    tokio::time::timeout(WAIT, customer.wait())
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_change_nothing_and_right_ones_restart_the_client_as_root() {
    let user = ThrowawayUser::create();
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let (mut customer, downloads) = run_as(&user, &app, &key, &["--allow-all"]);
    let said = || said_in(downloads.path());
    let s = take_session(&alice).await;
    // Credentials are never stored: they reach a client only while it is connected.
    support::until_said(downloads.path(), "Connected to session").await;

    // A wrong password: sudo refuses, the customer is told, the request is declined, and the
    // session carries on with the same client.
    let credentials = |password: &str| Some((user.name.clone(), password.to_owned()));
    let delivered = alice
        .api()
        .elevate(
            s,
            ElevationMethod::ProvideCredentials,
            credentials("not-the-password"),
        )
        .await
        .unwrap();
    assert!(delivered, "the customer client received the credentials");
    let asked = PromptKind::Elevation(ElevationMethod::ProvideCredentials);
    // The request shows in the technician's view first (raised), then goes (answered).
    alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.prompts.contains_key(&asked))
                || said().contains("Elevation failed")
        })
        .await
        .unwrap();
    let answered = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.prompts.is_empty())
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the request was never answered; the customer said {:?}",
                said()
            )
        });
    assert_eq!(
        answered.state.sessions[&s].customer.info.mode,
        ClientMode::Full
    );
    assert!(
        said().contains("Elevation failed: the credentials were refused"),
        "{}",
        said()
    );
    assert!(
        !said().contains("not-the-password"),
        "the password is never shown"
    );

    // The right password: the client restarts as root and carries on the session.
    alice
        .api()
        .elevate(
            s,
            ElevationMethod::ProvideCredentials,
            credentials(&user.password),
        )
        .await
        .unwrap();
    let elevated = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.customer.info.mode == ClientMode::Elevated)
        })
        .await;
    assert!(
        elevated.is_ok(),
        "never elevated; the customer said {:?} and logged {:?}",
        said(),
        std::fs::read_to_string(downloads.path().join("customer.err"))
    );
    assert!(
        !alice.current().state.sessions[&s]
            .prompts
            .contains_key(&PromptKind::Elevation(ElevationMethod::ProvideCredentials))
    );
    alice
        .command(tandem_core::domain::Command::StartShell { session: s })
        .await
        .unwrap();
    let printed = run_in_shell(&alice, s, b"echo uid=$(id -u)-done\n", "uid=0-done").await;
    assert!(
        printed.contains("uid=0-done"),
        "the elevated client's shell runs as root: {printed:?}"
    );

    // End: the elevated client ends the session for both processes.
    alice
        .command(tandem_core::domain::Command::EndSession { session: s })
        .await
        .unwrap();
    let status = tokio::time::timeout(WAIT, customer.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "the customer client exits cleanly: {}",
        said()
    );
    assert!(said().contains("The support client now runs with administrative rights."));
}
