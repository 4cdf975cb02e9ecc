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
use std::path::PathBuf;
use std::process::Stdio;
use support::page::{customer_says, downloaded, picture_where, shown, text_of};
use support::window::{BLACK, GREEN, RED};
use support::wine::{WINE_START, Wine, packages};
use support::{WAIT, read_until, share, sign_in, take_session};
use tandem_core::client::ScreenView;
use tandem_core::domain::{ClientMode, Command, Platform};
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
    let wine = Wine::start();
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
    page.goto(&format!("{base}/customer?key={key}"))
        .await
        .unwrap();
    page.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Ana")
        .await
        .unwrap();
    page.find(Locator::Id("join-chat"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
