//! A Windows customer (issue 28), as far as this Linux machine can be one: the support client
//! built for Windows (`x86_64-pc-windows-gnu`) runs under Wine on an Xvfb display against the
//! real appliance. A Chromium that says it runs on Windows opens the technician's link, chats,
//! and is offered the Windows client first; the test runs exactly the `.exe` it saved, which
//! joins the same session and reports itself as Windows. The technician chats with it, sees the
//! screen through GDI (a Windows program's red window, pixels compared), clicks it and types
//! into it through `SendInput` (the program prints what it received), runs a command in `cmd`,
//! and ends the session: the client's installation is gone (C1).
//!
//! The client is built by `scripts/windows-check` (which `scripts/test` runs first); the Wine
//! prefix and the test's Windows program (`scripts/wine/target.c`) by `scripts/wine/prefix`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use support::page::{customer_says, downloaded, join_chat, picture_where, shown, text_of};
use support::window::{BLACK, GREEN, RED};
use support::wine::{WINE_START, Wine, packages};
use support::{WAIT, read_until, share, sign_in, take_session};
use tandem_core::client::{Console, ScreenView};
use tandem_core::domain::{ClientMode, Command, ElevationMethod, Platform, SessionId};
use tandem_e2e::browser::fantoccini::Locator;
use tandem_e2e::browser::{Driver, shot};
use tandem_e2e::{Appliance, Display};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use tokio::sync::mpsc;

/// The Windows test program (`scripts/wine/target.c`) on `display`: a red window at (40, 40)
/// that turns green when clicked; its lines ("click x y", "char c") come through the channel.
async fn wine_target(
    wine: &Wine,
    display: &str,
) -> (tokio::process::Child, mpsc::Receiver<String>) {
    let mut child = wine
        .run(display, &wine.prefix.join("target.exe"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).await.is_err() {
                break;
            }
        }
    });
    let ready = tokio::time::timeout(WINE_START, rx.recv()).await;
    assert_eq!(
        ready.ok().flatten().as_deref(),
        Some("ready"),
        "the Windows test program did not start under Wine"
    );
    (child, rx)
}

/// Wait for the test program to print `line`.
async fn target_says(lines: &mut mpsc::Receiver<String>, line: &str) {
    let heard = tokio::time::timeout(WAIT, async {
        while let Some(heard) = lines.recv().await {
            if heard == line {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(heard, Ok(true)),
        "the Windows program never received {line:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_customer_under_wine_downloads_the_client_and_the_technician_sees_clicks_types_and_runs_cmd()
 {
    let display = Display::start(320, 240).unwrap();
    let wine = Wine::start().await;
    let (_target, mut target) = wine_target(&wine, &display.name).await;
    let packages = packages();
    let app = Appliance::start_with(&["--downloads", packages.path().to_str().unwrap()])
        .await
        .unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;

    // The customer's browser on Windows: the chat, then the client offered for Windows first.
    let driver = Driver::start().await;
    let saved = tempfile::tempdir().unwrap();
    let (page, _profile) = driver.windows_downloading_to(saved.path()).await;
    join_chat(&page, &base, &key, "Ana").await;
    let s = take_session(&alice).await;
    shown(&page, "//p[@id='status'][contains(., 'is helping you')]").await;
    alice
        .command(Command::UpgradeToFullClient { session: s })
        .await
        .unwrap();
    shown(
        &page,
        "//ul[@id='downloads']/li/a[@data-target='windows-x86_64']",
    )
    .await;
    let sha_shown = text_of(&page, "#downloads code.hash").await;
    shot(&page, "customer-page-windows-download").await;
    page.find(Locator::Css("#downloads a[data-target='windows-x86_64']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let file = downloaded(saved.path()).await;
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("tandem-support-") && name.ends_with(".exe"),
        "{name}"
    );
    let sha: String = sha2::Sha256::digest(std::fs::read(&file).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha, sha_shown,
        "the page shows the SHA-256 of the file saved"
    );

    // Exactly that file, under Wine: it joins the same session as a Windows computer.
    let home = tempfile::tempdir().unwrap();
    let mut client = wine
        .run(&display.name, &file)
        // The window's consent dialogs have their own test; here the terminal allows all.
        .args(["--terminal", "--allow-all"])
        .env("TANDEM_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(
            std::fs::File::create(home.path().join("customer.out")).unwrap(),
        ))
        .stderr(Stdio::from(
            std::fs::File::create(home.path().join("customer.err")).unwrap(),
        ))
        .spawn()
        .unwrap();
    let said = |file: &str| support::said(home.path(), file);
    let full = alice
        .wait_for(WINE_START, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.customer.info.mode == ClientMode::Full)
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the Windows client never joined: {e}; it said {:?} {:?}",
                said("customer.out"),
                said("customer.err")
            )
        });
    assert_eq!(
        full.state.sessions[&s].customer.info.platform,
        Platform::Windows
    );

    // Chat both ways.
    alice
        .command(Command::SendChat {
            session: s,
            text: "Hello Ana, I see a Windows computer".into(),
        })
        .await
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all(b"It runs Windows indeed\n").await.unwrap();
    stdin.flush().await.unwrap();
    customer_says(&alice, s, "It runs Windows indeed").await;
    support::until_said(home.path(), "Hello Ana, I see a Windows computer").await;

    // The screen through GDI: the Windows program's red window where it is.
    share(&alice, s, true).await;
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    let picture = picture_where(&view, "the red window", |p| p.argb(60, 60) == Some(RED)).await;
    assert_eq!((picture.width, picture.height), (320, 240));
    assert_eq!(picture.argb(10, 10), Some(BLACK));
    assert_eq!(picture.argb(40, 40), Some(RED));
    assert_eq!(picture.argb(139, 119), Some(RED));
    assert_eq!(picture.argb(140, 120), Some(BLACK));

    // A click and a key, through SendInput, reach the Windows program.
    view.pointer(60, 60, 1).await.unwrap();
    view.pointer(60, 60, 0).await.unwrap();
    target_says(&mut target, "click 20 20").await;
    picture_where(&view, "the window turn green", |p| {
        p.argb(60, 60) == Some(GREEN)
    })
    .await;
    for c in ['k', 'é'] {
        view.key(u32::from(c), true).await.unwrap();
        view.key(u32::from(c), false).await.unwrap();
        target_says(&mut target, &format!("char {c}")).await;
    }

    // cmd, through pipes (Wine has no working pseudo console).
    alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    let mut shell = support::shell_when_open(&alice, s)
        .await
        .expect("the shell opened");
    shell.send(b"echo tandem-%OS%\r").await.unwrap();
    let printed = read_until(&mut shell, "tandem-Windows_NT").await;
    assert!(
        printed.contains("echo tandem-%OS%"),
        "typing is echoed: {printed:?}"
    );

    // End: the client leaves, and its installation goes with it (C1).
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let exited = tokio::time::timeout(WAIT, client.wait()).await;
    assert!(
        exited.is_ok(),
        "the Windows client did not exit at End; it said {:?}",
        said("customer.out")
    );
    assert_eq!(
        wine.installations(),
        Vec::<PathBuf>::new(),
        "C1: uninstalled at End; the client logged {}",
        said("customer.err")
    );
}

/// A file open for appending: Wine may give the elevated copy the same files, which must not
/// write over what the first process said.
fn appending(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

/// A Windows customer under Wine: what the technician and the test need of one session.
struct OnWindows {
    display: Display,
    wine: Wine,
    _app: Appliance,
    alice: Console,
    s: SessionId,
    client: tokio::process::Child,
    home: tempfile::TempDir,
    _packages: tempfile::TempDir,
}

impl OnWindows {
    /// The appliance serving `packages`; Alice's click-to-chat session, taken; its Windows
    /// download started under Wine on a `width` x `height` display with `--terminal
    /// --allow-all` (the window's consent has its own test), once `before` ran as the
    /// administrator; and the client in as the full client, or whatever `joined` waits for.
    async fn start(
        (width, height): (u16, u16),
        packages: tempfile::TempDir,
        before: Option<Command>,
        joined: fn(&tandem_core::domain::Session) -> bool,
    ) -> Self {
        let display = Display::start(width, height).unwrap();
        let wine = Wine::start().await;
        let app = Appliance::start_with(&["--downloads", packages.path().to_str().unwrap()])
            .await
            .unwrap();
        if let Some(command) = before {
            sign_in(&app, "admin").await.command(command).await.unwrap();
        }
        let base = format!("https://localhost:{}", app.addr.port());
        let alice = sign_in(&app, "alice").await;
        let key = alice.session_key(None).await.unwrap().key;
        let home = tempfile::tempdir().unwrap();
        let file = support::download(&base, &key, home.path(), "windows-x86_64").await;
        let s = take_session(&alice).await;
        let client = wine
            .run(&display.name, &file)
            .args(["--terminal", "--allow-all"])
            .env("TANDEM_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::from(appending(&home.path().join("customer.out"))))
            .stderr(Stdio::from(appending(&home.path().join("customer.err"))))
            .spawn()
            .unwrap();
        alice
            .wait_for(WINE_START, |m| m.state.sessions.get(&s).is_some_and(joined))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "the Windows client never joined as expected: {e}; it said {:?} and logged {:?}",
                    support::said(home.path(), "customer.out"),
                    support::said(home.path(), "customer.err")
                )
            });
        Self {
            display,
            wine,
            _app: app,
            alice,
            s,
            client,
            home,
            _packages: packages,
        }
    }

    /// As the full client, from this build's Windows package.
    async fn joined() -> Self {
        Self::start((320, 240), packages(), None, full).await
    }
}

fn full(session: &tandem_core::domain::Session) -> bool {
    session.customer.info.mode == ClientMode::Full
}

/// Sign `program` into `signed` with a throwaway code-signing certificate, as an operator with
/// a real one would (`osslsigncode sign`); the certificate's PEM file, to verify against.
fn sign(program: &Path, signed: &Path, dir: &Path) -> PathBuf {
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=Tandem test signing",
            "-addext",
            "extendedKeyUsage=codeSigning",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let signing = std::process::Command::new("osslsigncode")
        .args(["sign", "-n", "Tandem support client", "-certs"])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .arg("-in")
        .arg(program)
        .arg("-out")
        .arg(signed)
        .output()
        .unwrap();
    assert!(
        signing.status.success(),
        "{}",
        String::from_utf8_lossy(&signing.stderr)
    );
    cert
}

/// `osslsigncode verify`'s verdict on `file` against `cert`, and what it said.
fn verified(file: &Path, cert: &Path) -> (bool, String) {
    let out = std::process::Command::new("osslsigncode")
        .arg("verify")
        .arg("-in")
        .arg(file)
        .arg("-CAfile")
        .arg(cert)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success() && said.contains("Succeeded"), said)
}

/// An operator who signs the Windows client keeps a valid signature on every download: the
/// appliance carries its address inside the certificate table (`server/src/signed_pe.rs`), and
/// the signed download still joins its session by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_windows_download_keeps_its_signature_and_still_joins_its_session() {
    let packages = tempfile::tempdir().unwrap();
    let certificates = tempfile::tempdir().unwrap();
    let served = packages.path().join("tandem-customer-windows-x86_64.exe");
    let cert = sign(
        &support::wine::windows_build("tandem-customer.exe"),
        &served,
        certificates.path(),
    );
    assert!(verified(&served, &cert).0, "the operator's file is signed");
    let operators = std::fs::read(&served).unwrap();
    let on = OnWindows::start((320, 240), packages, None, full).await;
    assert_eq!(
        on.alice.current().state.sessions[&on.s]
            .customer
            .info
            .platform,
        Platform::Windows
    );
    // What the customer's browser saved (the test's download, in the customer's home).
    let file = std::fs::read_dir(on.home.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "exe"))
        .unwrap();
    assert_ne!(
        std::fs::read(&file).unwrap(),
        operators,
        "the download carries the appliance"
    );
    let (ok, said) = verified(&file, &cert);
    assert!(ok, "the download's signature still verifies: {said}");
}

/// Elevation on Windows (E2, E3, E4), as far as Wine goes: the technician asks (Prompt
/// Customer); the client starts its elevated copy with the `runas` verb (on Windows, UAC asks
/// the customer here; Wine starts it with no prompt), which takes the session over through the
/// named pipe and its secret, and the session carries on elevated: the chat still reaches the
/// customer's window or terminal through the first process, and the shell opens in the
/// elevated copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_windows_client_elevates_through_runas_and_hands_the_session_over_its_pipe() {
    // Every part bound: what a pattern leaves out is dropped at once (the appliance, the display).
    let OnWindows {
        display: _display,
        wine,
        _app,
        alice,
        s,
        mut client,
        home,
        _packages,
    } = OnWindows::joined().await;
    let said = |file: &str| support::said(home.path(), file);
    alice
        .command(Command::Elevate {
            session: s,
            method: ElevationMethod::PromptCustomer,
        })
        .await
        .unwrap();
    alice
        .wait_for(WINE_START, |m| {
            m.state.sessions[&s].customer.info.mode == ClientMode::Elevated
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "never elevated: {e}; the client said {:?} and logged {:?}",
                said("customer.out"),
                said("customer.err")
            )
        });
    support::until_said(home.path(), "now runs with administrative rights").await;

    // The elevated copy runs the session; the customer's terminal is relayed to it.
    alice
        .command(Command::SendChat {
            session: s,
            text: "Now with administrative rights".into(),
        })
        .await
        .unwrap();
    support::until_said(home.path(), "Now with administrative rights").await;
    let mut stdin = client.stdin.take().unwrap();
    stdin.write_all(b"Thank you\n").await.unwrap();
    stdin.flush().await.unwrap();
    customer_says(&alice, s, "Thank you").await;
    alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    let mut shell = support::shell_when_open(&alice, s)
        .await
        .expect("the elevated copy opened the shell");
    shell.send(b"echo elevated-%OS%\r").await.unwrap();
    read_until(&mut shell, "elevated-Windows_NT").await;

    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let exited = tokio::time::timeout(WAIT, client.wait()).await;
    assert!(
        exited.is_ok(),
        "the client did not exit at End: {:?}",
        said("customer.out")
    );
    assert_eq!(
        wine.installations(),
        Vec::<PathBuf>::new(),
        "C1: uninstalled at End"
    );
}

/// E4: with "elevate Windows clients at session start" on, the Windows client is asked for
/// administrative rights as it joins, before it reads its first events: the request waits in
/// its first snapshot and is answered there exactly as a live one (elevating, not merely saying
/// yes: before, a waiting request was accepted without elevating, and the technician saw an
/// elevated client that had no rights).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_auto_elevation_on_the_windows_client_elevates_as_it_joins() {
    use tandem_core::domain::{AdminCommand, Settings};
    let auto = Command::Admin(AdminCommand::UpdateSettings {
        settings: Settings {
            appliance_sends_external_invitations: false,
            auto_elevate_windows: true,
        },
    });
    let elevated = |x: &tandem_core::domain::Session| x.customer.info.mode == ClientMode::Elevated;
    let on = OnWindows::start((320, 240), packages(), Some(auto), elevated).await;
    support::until_said(on.home.path(), "now runs with administrative rights").await;
}

/// The Support Button on Windows (B1): deployed from a session, the client writes a shortcut
/// named after the button in the Start menu and on the desktop; Wine's `start` opens the
/// shortcut as Explorer would, and the client it runs opens its window and starts a session in
/// the button's queue; removing the button deletes both shortcuts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_support_button_on_windows_is_a_start_menu_and_desktop_shortcut_that_starts_a_session() {
    use tandem_core::domain::{Event, QueueRef, SessionStatus, Timestamp};
    let OnWindows {
        display,
        wine,
        _app,
        alice,
        s,
        client: _client,
        home: _home,
        _packages,
    } = OnWindows::start((640, 480), packages(), None, full).await;
    let me = alice.current().me;

    let profile = *alice.current().state.button_profiles.keys().next().unwrap();
    let in_a_day = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 86_400_000;
    let deployed = alice
        .command(Command::DeploySupportButton {
            session: s,
            name: "Call Alice: IT/Help".into(),
            expires_at: Timestamp(u64::try_from(in_a_day).unwrap()),
            profile,
            queue: QueueRef::Personal(me),
        })
        .await
        .unwrap();
    assert!(
        deployed
            .events
            .iter()
            .any(|p| matches!(p.event, Event::SupportButtonDeployed { .. }))
    );
    let user = wine.user_dir();
    let shortcuts = [
        user.join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Call Alice_ IT_Help.lnk"),
        user.join("Desktop/Call Alice_ IT_Help.lnk"),
    ];
    for shortcut in &shortcuts {
        support::until_file(shortcut, true).await;
    }

    // Opened as Explorer would: the window opens and a session arrives in Alice's queue.
    let _pressed = wine
        .run(&display.name, Path::new("start"))
        .arg("/unix")
        .arg(&shortcuts[1])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    alice
        .wait_for(WINE_START, |m| {
            m.state
                .sessions
                .values()
                .any(|x| x.id != s && x.status == SessionStatus::Queued(QueueRef::Personal(me)))
        })
        .await
        .unwrap_or_else(|e| panic!("the shortcut started no session: {e}"));

    alice
        .command(Command::RemoveSupportButton { session: s })
        .await
        .unwrap();
    for shortcut in &shortcuts {
        support::until_file(shortcut, false).await;
    }
}

/// The Jump Client on Windows (J1): pinned from a session, the agent gets its own copy of the
/// program, its credential and a Run entry that starts it at every sign-in; it outlives End,
/// joins an unattended session (nobody is there to ask) and runs `cmd` in it, and when unpinned
/// it removes its Run entry, its credential and its own program while running from it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jump_client_on_windows_starts_at_sign_in_serves_an_unattended_session_and_leaves_when_unpinned()
 {
    use tandem_core::domain::{JumpLocation, SessionStatus};
    let OnWindows {
        display: _display,
        wine,
        _app,
        alice,
        s,
        mut client,
        home: _home,
        _packages,
    } = OnWindows::joined().await;
    let me = alice.current().me;
    alice
        .command(Command::PinJumpClient {
            session: s,
            location: JumpLocation::Personal(me),
        })
        .await
        .unwrap();
    let user = wine.user_dir();
    let config = user.join("AppData/Roaming/Tandem/jump-client.json");
    let agent_dir = user.join("AppData/Local/Tandem/jump-client");
    support::until_file(&config, true).await;
    support::until_file(&agent_dir.join("tandem-customer.exe"), true).await;
    // The agent's log is made as it starts, after its Run entry.
    support::until_file(&agent_dir.join("agent.log"), true).await;
    let run_entry = || {
        let out = std::process::Command::new("wine")
            .args([
                "reg",
                "query",
                r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
            ])
            .args(["/v", "TandemJumpClient"])
            .env("WINEPREFIX", &wine.prefix)
            .env("WINEDEBUG", "-all")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let entry = run_entry();
    assert!(
        entry.contains("--jump-config") && entry.contains("jump-client.json"),
        "started at sign-in: {entry}"
    );

    // End: the session's client goes; the agent stays.
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    tokio::time::timeout(WAIT, client.wait())
        .await
        .expect("the session's client exits at End")
        .unwrap();
    let jump_client = *alice.current().state.jump_clients.keys().next().unwrap();
    alice
        .command(Command::StartJumpSession { jump_client })
        .await
        .unwrap();
    let started = alice
        .wait_for(WINE_START, |m| {
            m.state
                .sessions
                .values()
                .any(|x| x.jump_client == Some(jump_client) && x.status == SessionStatus::Active)
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the agent never joined: {e}; it logged {:?}",
                std::fs::read_to_string(agent_dir.join("agent.log")).unwrap_or_default()
            )
        });
    let u = started
        .state
        .sessions
        .values()
        .find(|x| x.jump_client == Some(jump_client) && x.status == SessionStatus::Active)
        .unwrap()
        .id;
    alice
        .command(Command::StartShell { session: u })
        .await
        .unwrap();
    let mut shell = support::shell_when_open(&alice, u)
        .await
        .expect("the agent allowed the shell");
    shell.send(b"echo unattended-%OS%\r").await.unwrap();
    read_until(&mut shell, "unattended-Windows_NT").await;

    // Unpinned: it removes its entry, its credential and its own program, running from it.
    alice
        .command(Command::UnpinJumpClient { session: u })
        .await
        .unwrap();
    support::until_file(&config, false).await;
    support::until_file(&agent_dir, false).await;
    assert!(
        !run_entry().contains("TandemJumpClient"),
        "no longer started at sign-in"
    );
}
