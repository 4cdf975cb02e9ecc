//! What the customer client's end-to-end tests share: the demo sign-in, the customer client as
//! its own process (its output kept in its home, for failing tests to show), and taking the
//! session it starts.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod page;
pub mod window;
pub mod wine;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tandem_core::client::{Console, FeedOptions, ShellStream};
use tandem_core::domain::{Command, ScreenState, SessionId};
use tandem_e2e::{Appliance, Display};
use tokio::process::{Child, Command as Process};

/// The demo organisation's password (tandem-appliance's demo data).
pub const PASSWORD: &str = "tandem-demo-2026";
/// How long a test waits for something another process does.
pub const WAIT: Duration = Duration::from_secs(10);

/// A demo technician's console.
pub async fn sign_in(app: &Appliance, who: &str) -> Console {
    Console::sign_in(
        app.endpoint().unwrap(),
        &format!("{who}@demo.tandem"),
        PASSWORD,
        FeedOptions::default(),
    )
    .await
    .unwrap()
}

/// The customer client with `home` as its home (no XDG overrides), writing what it says and
/// logs into `customer.out` and `customer.err` there.
pub fn customer(home: &Path) -> Process {
    let mut p = Process::new(env!("CARGO_BIN_EXE_tandem-customer"));
    p.env("HOME", home)
        .env("SHELL", "/bin/sh")
        .env("TANDEM_LOG", "info")
        // The terminal's lines, which these tests read and type (the window has its own test).
        .env("TANDEM_TERMINAL", "1")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(
            std::fs::File::create(home.join("customer.out")).unwrap(),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(home.join("customer.err")).unwrap(),
        ))
        .kill_on_drop(true);
    p
}

/// The customer client joining with `key`, with `extra` arguments.
pub fn join(app: &Appliance, home: &Path, key: &str, extra: &[&str]) -> Child {
    join_with(app, customer(home), key, extra)
}

/// `customer` (a [`customer`] process, changed as the test needs) joining with `key`.
pub fn join_with(app: &Appliance, mut customer: Process, key: &str, extra: &[&str]) -> Child {
    customer
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
        ])
        .args(["--key", key, "--name", "Kim"])
        .args(extra)
        .spawn()
        .unwrap()
}

/// What the customer client printed or logged, from its home.
pub fn said(home: &Path, file: &str) -> String {
    std::fs::read_to_string(home.join(file)).unwrap_or_default()
}

/// Wait until `holds`, a test of files under `dir` (created, written or deleted by another
/// process), looking again at each of the system's file events there (inotify); fail with
/// `failure`'s words after `limit`.
pub async fn until_in(
    dir: &Path,
    limit: Duration,
    holds: impl Fn() -> bool,
    failure: impl Fn() -> String,
) {
    use notify::Watcher as _;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .unwrap();
    // The deepest part of `dir` that exists is watched, and the watch moves down as the rest is
    // made (a recursive watch would miss what is made in a new folder before it is watched);
    // after each move, a look before waiting: nothing made in between is missed.
    let mut watched: Option<std::path::PathBuf> = None;
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let deepest = dir.ancestors().find(|d| d.exists()).unwrap().to_path_buf();
        if watched.as_ref() != Some(&deepest) {
            if let Some(old) = watched.take() {
                let _ = watcher.unwatch(&old);
            }
            watcher
                .watch(&deepest, notify::RecursiveMode::NonRecursive)
                .unwrap();
            watched = Some(deepest);
            continue;
        }
        if holds() {
            return;
        }
        if tokio::time::timeout_at(deadline, events.recv())
            .await
            .is_err()
        {
            panic!("{}", failure());
        }
    }
}

/// Wait until the customer client has said `needle` in `customer.out` in `home`.
pub async fn until_said(home: &Path, needle: &str) {
    until_in(
        home,
        WAIT,
        || said(home, "customer.out").contains(needle),
        || {
            format!(
                "the customer client never said {needle:?}; it said {:?} and logged {:?}",
                said(home, "customer.out"),
                said(home, "customer.err")
            )
        },
    )
    .await;
}

/// Wait for a file to appear (`true`) or go (`false`).
pub async fn until_file(path: &Path, present: bool) {
    let dir = path.parent().unwrap_or(path);
    until_in(
        dir,
        WAIT,
        || path.exists() == present,
        || {
            let change = if present { "appear" } else { "go away" };
            format!("{} did not {change}", path.display())
        },
    )
    .await;
}

/// Wait for the session the customer client started in the technician's queue, and take it.
pub async fn take_session(technician: &Console) -> SessionId {
    let queued = technician
        .wait_for(WAIT, |m| !m.state.sessions.is_empty())
        .await
        .unwrap();
    let s = *queued.state.sessions.keys().next().unwrap();
    technician
        .command(Command::AcceptFromQueue { session: s })
        .await
        .unwrap();
    technician
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.owner == Some(m.me))
        })
        .await
        .unwrap();
    s
}

/// Read the shell's output until `needle` appears; fails with what it printed if it does not.
pub async fn read_until(shell: &mut ShellStream, needle: &str) -> String {
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

/// The session's shell once the customer has allowed it (the technician asked with
/// `StartShell`); `None` if it never opened.
pub async fn shell_when_open(technician: &Console, s: SessionId) -> Option<ShellStream> {
    technician
        .wait_for(WAIT, |m| m.state.sessions.get(&s).is_some_and(|x| x.shell))
        .await
        .ok()?;
    Some(ShellStream::open(technician.api(), s).await.unwrap())
}

/// The technician shares the session's screen (for control or for viewing) and sees it shared.
pub async fn share(technician: &Console, s: SessionId, control: bool) {
    technician
        .command(Command::StartScreen {
            session: s,
            control,
        })
        .await
        .unwrap();
    let wanted = if control {
        ScreenState::Control
    } else {
        ScreenState::View
    };
    technician
        .wait_for(WAIT, |m| {
            m.state.sessions.get(&s).is_some_and(|x| x.screen == wanted)
        })
        .await
        .unwrap();
}

/// Alice in a session with the real customer client on `display`, its screen shared for
/// control or for viewing; the appliance, client and home live as long as what is returned.
pub async fn shared_session(
    display: &Display,
    control: bool,
) -> (
    Appliance,
    Console,
    SessionId,
    tokio::process::Child,
    tempfile::TempDir,
) {
    let app = Appliance::start().await.unwrap();
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut process = customer(home.path());
    process.env("DISPLAY", &display.name);
    let customer_process = join_with(&app, process, &key, &["--allow-all"]);
    let s = take_session(&alice).await;
    share(&alice, s, control).await;
    (app, alice, s, customer_process, home)
}

/// The download for `target` from a click-to-chat session, as the customer's page gets it.
pub async fn download(base: &str, key: &str, into: &Path, target: &str) -> std::path::PathBuf {
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let joined: serde_json::Value = http
        .post(format!("{base}/api/v1/customer/join"))
        .json(&serde_json::json!({"key": key, "customer": {"name": "Kim", "machine": "Web browser", "platform": "Linux", "mode": "ClickToChat"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = joined["token"].as_str().unwrap();
    let offer: serde_json::Value = http
        .post(format!("{base}/api/v1/customer/download"))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let package = offer["downloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["target"] == target)
        .unwrap_or_else(|| panic!("no {target} download in {offer}"));
    let bytes = http
        .get(format!("{base}{}", package["href"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let file = into.join(package["file"].as_str().unwrap());
    std::fs::write(&file, &bytes).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    file
}
