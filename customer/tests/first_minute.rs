//! The customer's first minute (issue 27), as a customer meets it: Debian's Chromium opens the
//! link a technician shares, the customer types a name and chats with the technician's console
//! in the page (click-to-chat, E1), the technician asks for the full client, the page offers
//! the download for this computer, and the test runs exactly the file the browser saved. It
//! joins the same session by itself (nothing typed: the appliance is in the file, the session's
//! one-time credential in its name) and the technician sees the real screen of an Xvfb display,
//! pixels compared. Then what an attacker would try: the file run again on another computer,
//! the download link used again, a made-up key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use sha2::Digest as _;
use std::path::Path;
use support::page::{customer_says, downloaded, join_chat, picture_where, shown, text_of};
use support::window::{BLACK, RED, test_client};
use support::{WAIT, sign_in, take_session};
use tandem_core::client::ScreenView;
use tandem_core::domain::{ClientMode, Command, Platform, ScreenState};
use tandem_e2e::browser::fantoccini::Locator;
use tandem_e2e::browser::{Driver, shot};
use tandem_e2e::{Appliance, Display};

/// The downloads directory an operator fills: here, this build's client for Linux x86_64.
fn packages() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_tandem-customer"),
        dir.path().join("tandem-customer-linux-x86_64"),
    )
    .unwrap();
    dir
}

/// A customer's computer: its own home, the display, and the file as the browser saved it.
fn run_downloaded(file: &Path, home: &Path, display: &str) -> tokio::process::Child {
    use std::os::unix::fs::PermissionsExt as _;
    // What "Allow executing file as program" in a file manager does.
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).unwrap();
    tokio::process::Command::new(file)
        // The consent dialogs are the window's (first_minute's window test); here every
        // request is allowed as the customer would click it.
        .args(["--terminal", "--allow-all"])
        .env("HOME", home)
        .env("DISPLAY", display)
        .env("SHELL", "/bin/sh")
        .env("TANDEM_LOG", "info")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::from(
            std::fs::File::create(home.join("customer.out")).unwrap(),
        ))
        .stderr(std::process::Stdio::from(
            std::fs::File::create(home.join("customer.err")).unwrap(),
        ))
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_starts_in_the_browser_downloads_the_client_and_it_joins_the_same_session() {
    let display = Display::start(320, 240).unwrap();
    let _window = test_client(&display.name);
    let packages = packages();
    let app = Appliance::start_with(&["--downloads", packages.path().to_str().unwrap()])
        .await
        .unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let driver = Driver::start().await;
    let saved = tempfile::tempdir().unwrap();
    let (page, _profile) = driver.desktop_downloading_to(saved.path()).await;

    // A made-up key is said to be unusable, not greeted.
    page.goto(&format!("{base}/customer?key=NOTAKEY9"))
        .await
        .unwrap();
    let unusable = text_of(&page, "#unusable").await;
    assert!(
        unusable.contains("not valid, was used already, or has expired"),
        "{unusable}"
    );
    assert!(
        !page
            .find(Locator::Id("start"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );

    // The technician's link: a name, and the chat starts, in the technician's queue.
    join_chat(&page, &base, &key, "Kim").await;
    shown(
        &page,
        "//p[@id='status'][contains(., 'Waiting for a technician')]",
    )
    .await;
    let s = take_session(&alice).await;
    let snapshot = alice.current();
    let session = &snapshot.state.sessions[&s];
    assert_eq!(session.customer.info.name, "Kim");
    assert_eq!(session.customer.info.mode, ClientMode::ClickToChat);
    shown(&page, "//p[@id='status'][contains(., 'is helping you')]").await;

    // Chat both ways.
    alice
        .command(Command::SendChat {
            session: s,
            text: "Hello Kim, what is wrong?".into(),
        })
        .await
        .unwrap();
    shown(
        &page,
        "//ul[@id='chat']/li[contains(., 'Hello Kim, what is wrong?')]",
    )
    .await;
    page.find(Locator::Id("text"))
        .await
        .unwrap()
        .send_keys("My screen froze")
        .await
        .unwrap();
    page.find(Locator::Css("#say button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    customer_says(&alice, s, "My screen froze").await;

    // E1: chat only, until the full client joins; the technician asks for it.
    let refused = alice
        .command(Command::StartScreen {
            session: s,
            control: false,
        })
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("click-to-chat") || refused.to_string().contains("E1"),
        "{refused}"
    );
    alice
        .command(Command::UpgradeToFullClient { session: s })
        .await
        .unwrap();
    shown(&page, "//a[@data-target='linux-x86_64']").await;
    let sha_shown = text_of(&page, "#downloads code.hash").await;
    shot(&page, "customer-page-desktop-download").await;
    let link = page
        .find(Locator::Css("a[data-target='linux-x86_64']"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    link.click().await.unwrap();
    let file = downloaded(saved.path()).await;
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with("tandem-support-"), "{name}");
    let bytes = std::fs::read(&file).unwrap();
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        sha, sha_shown,
        "the page shows the SHA-256 of exactly the file saved"
    );
    eprintln!("the download: {name}, {} bytes", bytes.len());

    // Exactly that file, started on the customer's computer: it joins the same session.
    let home = tempfile::tempdir().unwrap();
    let _client = run_downloaded(&file, home.path(), &display.name);
    let full = alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&s)
                .is_some_and(|x| x.customer.info.mode == ClientMode::Full)
        })
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the downloaded client never joined: {e}; it said {:?} {:?}",
                support::said(home.path(), "customer.out"),
                support::said(home.path(), "customer.err")
            )
        });
    assert_eq!(
        full.state.sessions[&s].customer.info.platform,
        Platform::Linux
    );
    assert!(
        full.state.sessions[&s].prompts.is_empty(),
        "the request to upgrade is answered"
    );
    // The browser hands over: its chat says where the session went, and its token is over.
    shown(
        &page,
        "//p[@id='status'][contains(., 'The support client has joined')]",
    )
    .await;
    shot(&page, "customer-page-desktop-handed-over").await;

    // The technician sees the real screen through the downloaded client.
    alice
        .command(Command::StartScreen {
            session: s,
            control: false,
        })
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| m.state.sessions[&s].screen == ScreenState::View)
        .await
        .unwrap();
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    let picture = picture_where(&view, "the red window", |p| p.argb(60, 60) == Some(RED)).await;
    assert_eq!((picture.width, picture.height), (320, 240));
    assert_eq!(picture.argb(10, 10), Some(BLACK));
    assert_eq!(picture.argb(139, 119), Some(RED));
    assert_eq!(picture.argb(140, 120), Some(BLACK));

    // Forwarded or run again on another computer: the credential was used; refused, and the
    // session is untouched.
    let elsewhere = tempfile::tempdir().unwrap();
    let second = run_downloaded(&file, elsewhere.path(), &display.name)
        .wait()
        .await
        .unwrap();
    assert!(!second.success());
    let said = support::said(elsewhere.path(), "customer.err");
    assert!(
        said.contains("This download was used already or has expired"),
        "{said}"
    );
    assert_eq!(
        alice.current().state.sessions[&s].customer.info.machine,
        full.state.sessions[&s].customer.info.machine
    );
    // The download link itself is worth nothing now either.
    page.goto(&format!("{base}{href}")).await.unwrap();
    let gone = page.source().await.unwrap();
    assert!(gone.contains("used already or has expired"), "{gone}");
}

/// The same page at a phone's size: the chat works, and the download is offered for "a
/// computer", since a phone cannot run the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_page_chats_and_points_to_a_computer_for_the_client() {
    let packages = packages();
    let app = Appliance::start_with(&["--downloads", packages.path().to_str().unwrap()])
        .await
        .unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let driver = Driver::start().await;
    let (page, _profile) = driver.phone().await;
    page.goto(&format!("{base}/")).await.unwrap();
    shot(&page, "customer-portal-phone").await;
    page.find(Locator::Css("input[name='key']"))
        .await
        .unwrap()
        .send_keys(&key)
        .await
        .unwrap();
    page.find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shown(
        &page,
        "//h1[contains(., 'Your technician is ready to help')]",
    )
    .await;
    shot(&page, "customer-page-phone-start").await;
    page.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Kim")
        .await
        .unwrap();
    page.find(Locator::Id("join-chat"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let s = take_session(&alice).await;
    alice
        .command(Command::SendChat {
            session: s,
            text: "Hi Kim".into(),
        })
        .await
        .unwrap();
    shown(&page, "//ul[@id='chat']/li[contains(., 'Hi Kim')]").await;
    alice
        .command(Command::UpgradeToFullClient { session: s })
        .await
        .unwrap();
    shown(
        &page,
        "//p[@id='offer-help'][contains(., 'runs on a computer')]",
    )
    .await;
    shot(&page, "customer-page-phone-offer").await;
    assert_eq!(
        alice.current().state.sessions[&s].customer.info.platform,
        Platform::Other,
        "a phone's browser says it is no computer"
    );
    // Reloaded, the tab resumes its chat (the key itself is used up).
    page.refresh().await.unwrap();
    shown(&page, "//ul[@id='chat']/li[contains(., 'Hi Kim')]").await;
}
