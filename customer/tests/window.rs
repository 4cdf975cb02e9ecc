//! The customer's window (issue 27) on Xvfb, as a customer meets it: the support client
//! downloaded from a click-to-chat session is started with no argument at all, opens its window,
//! joins, and shows the technician's request to see the screen as a dialog. The test clicks
//! Allow on the X display (XTest, as a mouse would), the window shows the "being viewed" mark,
//! and its Stop button takes the screen back (A1, G3). Screenshots of each step go to
//! `target/browser-screenshots/`. The same test runs the Windows client under Wine (issue 28).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use support::{WAIT, sign_in, take_session};
use tandem_core::domain::{ClientMode, Command, ScreenState};
use tandem_e2e::{Appliance, Display};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::wrapper::ConnectionExt as _;

const WIDTH: u16 = 640;
const HEIGHT: u16 = 560;

/// The colours the window draws with (`tandem_customer::window::THEME`), as X shows them.
fn rgb(pick: impl Fn(&iced::theme::palette::Extended) -> iced::Color) -> [u8; 3] {
    let [r, g, b, _] = pick(tandem_customer::window::THEME.extended_palette()).into_rgba8();
    [r, g, b]
}

/// What the display shows, as rows of RGB.
fn screen(display: &str) -> Vec<[u8; 3]> {
    let (conn, n) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[n].root;
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, WIDTH, HEIGHT, !0)
        .unwrap()
        .reply()
        .unwrap();
    image
        .data
        .chunks_exact(4)
        .map(|p| [p[2], p[1], p[0]])
        .collect()
}

/// Save what the display shows as `target/browser-screenshots/{name}.png`.
fn save(pixels: &[[u8; 3]], name: &str) {
    let path = tandem_e2e::browser::screenshots().join(format!("{name}.png"));
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut png = png::Encoder::new(file, u32::from(WIDTH), u32::from(HEIGHT));
    png.set_color(png::ColorType::Rgb);
    png.set_depth(png::BitDepth::Eight);
    let data: Vec<u8> = pixels.iter().flatten().copied().collect();
    png.write_header().unwrap().write_image_data(&data).unwrap();
}

/// What the display shows once `holds`, looking again each time X reports drawing there (the
/// DAMAGE extension, on a connection of its own); `None` after [`WAIT`].
async fn until_shown(display: &str, holds: impl Fn(&[[u8; 3]]) -> bool) -> Option<Vec<[u8; 3]>> {
    use x11rb::protocol::Event;
    use x11rb::protocol::damage::{self, ConnectionExt as _};
    let (drawn_tx, mut drawn) = tokio::sync::mpsc::unbounded_channel();
    let (conn, n) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[n].root;
    conn.damage_query_version(1, 1).unwrap().reply().unwrap();
    let watch = conn.generate_id().unwrap();
    conn.damage_create(watch, root, damage::ReportLevel::NON_EMPTY)
        .unwrap()
        .check()
        .unwrap();
    // Watching before the first look: nothing drawn in between is missed. The thread ends with
    // the display, or at the first report after this wait is over.
    std::thread::spawn(move || {
        while let Ok(event) = conn.wait_for_event() {
            if let Event::DamageNotify(_) = event {
                let _ = conn.damage_subtract(watch, x11rb::NONE, x11rb::NONE);
                let _ = conn.flush();
                if drawn_tx.send(()).is_err() {
                    break;
                }
            }
        }
    });
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let pixels = screen(display);
        if holds(&pixels) {
            return Some(pixels);
        }
        if tokio::time::timeout_at(deadline, drawn.recv())
            .await
            .is_err()
        {
            return None;
        }
    }
}

/// The pixels drawn in `colour`, as (x, y).
fn drawn_in(pixels: &[[u8; 3]], colour: [u8; 3]) -> Vec<(usize, usize)> {
    pixels
        .iter()
        .enumerate()
        .filter(|(_, p)| **p == colour)
        .map(|(i, _)| (i % usize::from(WIDTH), i / usize::from(WIDTH)))
        .collect()
}

/// The middle of the area drawn in `colour`, once there is one of at least `min` pixels.
async fn find(display: &str, colour: [u8; 3], what: &str, min: usize) -> (i16, i16, Vec<[u8; 3]>) {
    let Some(pixels) = until_shown(display, |p| drawn_in(p, colour).len() >= min).await else {
        save(&screen(display), &format!("customer-window-missing-{what}"));
        panic!("the window never showed {what}");
    };
    let at = drawn_in(&pixels, colour);
    let x = at.iter().map(|p| p.0).sum::<usize>() / at.len();
    let y = at.iter().map(|p| p.1).sum::<usize>() / at.len();
    (i16::try_from(x).unwrap(), i16::try_from(y).unwrap(), pixels)
}

/// A click of the first mouse button at (x, y), through XTest.
fn click(display: &str, x: i16, y: i16) {
    let (conn, n) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[n].root;
    conn.xtest_fake_input(6, 0, 0, root, x, y, 0).unwrap(); // MotionNotify
    conn.xtest_fake_input(4, 1, 0, root, 0, 0, 0).unwrap(); // ButtonPress
    conn.xtest_fake_input(5, 1, 0, root, 0, 0, 0).unwrap(); // ButtonRelease
    conn.sync().unwrap();
}

/// How the customer's computer starts a downloaded file: the file, the customer's home, the
/// display.
type Start = Box<dyn FnOnce(&Path, &Path, &str) -> tokio::process::Child>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_asks_before_the_screen_is_seen_marks_it_while_it_is_and_stop_takes_it_back() {
    let packages = tempfile::tempdir().unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_tandem-customer"),
        packages.path().join("tandem-customer-linux-x86_64"),
    )
    .unwrap();
    // Double-clicked: no argument, a desktop.
    let start: Start = Box::new(|file, home, display| {
        tokio::process::Command::new(file)
            .env("HOME", home)
            .env("DISPLAY", display)
            .env("SHELL", "/bin/sh")
            .env_remove("TANDEM_TERMINAL")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::from(
                std::fs::File::create(home.join("customer.err")).unwrap(),
            ))
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    });
    consent_in_the_window(packages.path(), "linux-x86_64", "customer-window", start).await;
}

/// The same window, from the Windows client under Wine (issue 28): the same dialog, mark and
/// Stop, drawn by the same code through Wine's GDI.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_wine_the_windows_client_s_window_asks_marks_and_stops_the_same() {
    let wine = std::sync::Arc::new(support::wine::Wine::start().await);
    let packages = support::wine::packages();
    let prefix = wine.clone();
    let start: Start = Box::new(move |file, home, display| {
        prefix
            .run(display, file)
            .env_remove("TANDEM_TERMINAL")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::from(
                std::fs::File::create(home.join("customer.err")).unwrap(),
            ))
            .spawn()
            .unwrap()
    });
    consent_in_the_window(
        packages.path(),
        "windows-x86_64",
        "customer-window-windows",
        start,
    )
    .await;
}

/// A download from `packages` for `target`, started by `start` with no argument: the window
/// opens and joins; the technician's request is a dialog, Allow (clicked through XTest) shares
/// the screen, the mark shows while it is seen, and Stop takes it back. Screenshots are
/// `{shots}-consent` and `{shots}-viewed`.
async fn consent_in_the_window(packages: &Path, target: &str, shots: &str, start: Start) {
    let display = Display::start(WIDTH, HEIGHT).unwrap();
    let app = Appliance::start_with(&["--downloads", packages.to_str().unwrap()])
        .await
        .unwrap();
    let base = format!("https://localhost:{}", app.addr.port());
    let alice = sign_in(&app, "alice").await;
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let file = support::download(&base, &key, home.path(), target).await;
    let s = take_session(&alice).await;
    let _client = start(&file, home.path(), &display.name);
    alice
        .wait_for(support::wine::WINE_START, |m| {
            m.state.sessions[&s].customer.info.mode == ClientMode::Full
        })
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", support::said(home.path(), "customer.err")));

    // The technician asks to see the screen: the window asks the customer (G3).
    alice
        .command(Command::StartScreen {
            session: s,
            control: false,
        })
        .await
        .unwrap();
    let (x, y, asked) = find(
        &display.name,
        rgb(|p| p.success.base.color),
        "the Allow button",
        200,
    )
    .await;
    save(&asked, &format!("{shots}-consent"));
    assert_eq!(
        alice.current().state.sessions[&s].screen,
        ScreenState::Off,
        "nothing is seen before Allow"
    );
    click(&display.name, x, y);
    alice
        .wait_for(WAIT, |m| m.state.sessions[&s].screen == ScreenState::View)
        .await
        .unwrap();

    // The mark, for as long as the screen is seen, with its Stop.
    let (_, _, marked) = find(
        &display.name,
        rgb(|p| p.warning.base.color),
        "the being-viewed mark",
        2000,
    )
    .await;
    save(&marked, &format!("{shots}-viewed"));
    let (x, y, _) = find(
        &display.name,
        rgb(|p| p.danger.base.color),
        "the Stop button",
        200,
    )
    .await;
    click(&display.name, x, y);
    alice
        .wait_for(WAIT, |m| m.state.sessions[&s].screen == ScreenState::Off)
        .await
        .expect("Stop in the window takes the screen back");
    let warning = rgb(|p| p.warning.base.color);
    assert!(
        until_shown(&display.name, |p| !p.contains(&warning))
            .await
            .is_some(),
        "the mark goes once the screen is no longer seen"
    );
}
