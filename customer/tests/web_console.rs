//! The external user's web console in a real browser (issue 16, X4): Debian's Chromium at a
//! phone's size opens a one-time link to a session whose customer client runs on Xvfb, sees the
//! real screen drawn by the WebAssembly viewer (every pixel compared with the display's own),
//! chats both ways, and, with a view-only security policy, gets no pointer or key to the
//! customer: not through the page, not through a socket of its own with the page's credential
//! (A1, G4). When the session ends, the page says so and the screen goes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::{Value, json};
use support::window::{GREEN, RED, Seen, WINDOW, test_client};
use support::{WAIT, said, shared_session};
use tandem_core::client::{Console, ScreenView};
use tandem_core::domain::{Command, ExternalInvitee, Participant, SessionId};
use tandem_e2e::browser::fantoccini::{Client, Locator};
use tandem_e2e::browser::{Driver, shot};
use tandem_e2e::{Appliance, Display};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};

/// Wait, in the page, until the canvas's pixel at (x, y) is `rgb`.
async fn canvas_shows(page: &Client, (x, y): (u32, u32), rgb: u32, what: &str) {
    let wanted = json!([(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff]);
    let script = "const [x, y, want, done] = arguments;
        const c = document.getElementById('canvas');
        const check = () => {
          if (c.width > x && c.height > y) {
            const p = c.getContext('2d').getImageData(x, y, 1, 1).data;
            if (p[0] === want[0] && p[1] === want[1] && p[2] === want[2]) return done(true);
          }
          requestAnimationFrame(check);
        };
        check();";
    let shown = page
        .execute_async(script, vec![json!(x), json!(y), wanted])
        .await;
    assert!(
        matches!(shown, Ok(Value::Bool(true))),
        "the page never showed {what}: {shown:?}"
    );
}

/// The canvas's pixels as R G B A, with its size.
async fn canvas_pixels(page: &Client) -> (u32, u32, Vec<u8>) {
    let read = page
        .execute(
            "const c = document.getElementById('canvas');
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             return [c.width, c.height, Array.from(d)];",
            Vec::new(),
        )
        .await
        .unwrap();
    let number = |v: &Value| u32::try_from(v.as_u64().unwrap()).unwrap();
    let bytes = read[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| u8::try_from(v.as_u64().unwrap()).unwrap())
        .collect();
    (number(&read[0]), number(&read[1]), bytes)
}

/// The display's own pixels (B G R x) and where its pointer is.
fn display_pixels(display: &str) -> (Vec<u8>, (i16, i16)) {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    let (w, h) = (
        conn.setup().roots[screen].width_in_pixels,
        conn.setup().roots[screen].height_in_pixels,
    );
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, w, h, !0)
        .unwrap()
        .reply()
        .unwrap();
    let pointer = conn.query_pointer(root).unwrap().reply().unwrap();
    (image.data, (pointer.root_x, pointer.root_y))
}

/// A session whose customer client shares a 320x240 Xvfb display (with the test window) for
/// control, and an external user invited under the demo policy `policy` who joined in a
/// phone-sized browser.
struct Joined {
    display: Display,
    seen: std::sync::mpsc::Receiver<Seen>,
    app: Appliance,
    alice: Console,
    home: tempfile::TempDir,
    customer: tokio::process::Child,
    session: SessionId,
    driver: Driver,
    page: Client,
    profile: tempfile::TempDir,
}

async fn join_in_browser(policy: &str) -> Joined {
    let display = Display::start(320, 240).unwrap();
    let seen = test_client(&display.name);
    let (app, alice, session, customer, home) = shared_session(&display, true).await;
    let policy = alice
        .current()
        .state
        .policies
        .iter()
        .find(|(_, p)| p.name == policy)
        .map(|(id, _)| *id)
        .unwrap();
    let invitee = ExternalInvitee::Anyone {
        name: "Val Vendor".into(),
        email: None,
    };
    let invitation = alice
        .invite_external(session, policy, invitee, "printer driver")
        .await
        .unwrap();
    let token = invitation.link.rsplit_once("/join/").unwrap().1.to_owned();
    let link = format!("https://localhost:{}/join/{token}", app.addr.port());

    // The vendor opens the link on a phone-sized browser and joins.
    let driver = Driver::start().await;
    let (page, profile) = driver.browser().await;
    page.goto(&link).await.unwrap();
    page.wait()
        .for_element(Locator::XPath("//button[text()='Join in the browser']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    Joined {
        display,
        seen,
        app,
        alice,
        home,
        customer,
        session,
        driver,
        page,
        profile,
    }
}

/// The pointer pressed and released at (x, y) of the picture, as the page's canvas hears it.
async fn click_canvas(page: &Client, (x, y): (u32, u32)) {
    page.execute(
        "const [x, y] = arguments;
         const c = document.getElementById('canvas');
         const r = c.getBoundingClientRect();
         const at = {clientX: r.left + (x + 0.5) * r.width / c.width, clientY: r.top + (y + 0.5) * r.height / c.height};
         for (const [type, buttons] of [['pointerdown', 1], ['pointerup', 0]]) {
           c.dispatchEvent(new PointerEvent(type, {...at, buttons, bubbles: true}));
         }",
        vec![json!(x), json!(y)],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_user_sees_the_real_screen_in_the_browser_chats_and_a_view_only_pointer_never_arrives()
 {
    let Joined {
        display,
        seen,
        app: _app,
        alice,
        home,
        customer: _customer,
        session: s,
        driver: _driver,
        page,
        profile: _profile,
    } = join_in_browser("View only").await;

    // The red window appears in the page, and the whole picture is the display's, pixel for
    // pixel, except around the customer's pointer, which the console draws and a grab lacks.
    let (x, y, _, _) = WINDOW;
    let inside = (
        u32::try_from(x).unwrap() + 20,
        u32::try_from(y).unwrap() + 20,
    );
    canvas_shows(&page, inside, RED, "the red window").await;
    let (width, height, shown) = canvas_pixels(&page).await;
    assert_eq!((width, height), (320, 240), "not scaled: the page is wider");
    let (real, (px, py)) = display_pixels(&display.name);
    let mut compared = 0;
    for row in 0..240_usize {
        for column in 0..320_usize {
            let near_pointer = (i32::try_from(column).unwrap() - i32::from(px)).abs() <= 32
                && (i32::try_from(row).unwrap() - i32::from(py)).abs() <= 32;
            if near_pointer {
                continue;
            }
            let at = (row * 320 + column) * 4;
            let page_rgb = [shown[at], shown[at + 1], shown[at + 2]];
            let real_rgb = [real[at + 2], real[at + 1], real[at]];
            assert_eq!(
                page_rgb, real_rgb,
                "pixel ({column}, {row}) in the page and on the display"
            );
            compared += 1;
        }
    }
    assert!(compared > 60_000, "compared {compared} pixels");

    // What the vendor may do, with the engine's reason for what not.
    let refused = page
        .find(Locator::XPath(
            "//ul[@id='rights-list']/li[@class='no'][starts-with(., 'Point and type')]/span",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        refused, "Your security policy does not allow you to control the remote screen (G4)",
        "view only, from the policy"
    );
    let keys = page
        .execute("return document.getElementById('keys').hidden", Vec::new())
        .await
        .unwrap();
    assert_eq!(keys, json!(true), "no typing field for a view-only user");
    shot(&page, "external-web-console").await;

    // Chat both ways.
    page.find(Locator::Id("text"))
        .await
        .unwrap()
        .send_keys("Hello from the vendor")
        .await
        .unwrap();
    page.find(Locator::Css("#say button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    alice
        .wait_for(WAIT, |m| {
            m.chat
                .get(&s)
                .is_some_and(|c| c.iter().any(|l| l.text == "Hello from the vendor"))
        })
        .await
        .unwrap();
    alice
        .command(Command::SendChat {
            session: s,
            text: "Thanks, Val".into(),
        })
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::XPath(
            "//ul[@id='chat']/li[span[@class='who']][contains(., 'Thanks, Val')]",
        ))
        .await
        .unwrap();

    // A view-only pointer never reaches the customer: clicks and keys on the page's canvas, then
    // a socket of the vendor's own with the page's credential, as a changed page would send.
    click_canvas(&page, (60, 60)).await;
    page.find(Locator::Id("canvas"))
        .await
        .unwrap()
        .send_keys("no")
        .await
        .unwrap();
    let forged = page
        .execute_async(
            "const [session, done] = arguments;
             const kept = JSON.parse(sessionStorage.getItem('tandem-external'));
             const ws = new WebSocket('wss://' + location.host + '/api/v1/sessions/' + session +
               '/screen?access_token=' + encodeURIComponent(kept.token));
             ws.onopen = () => {
               for (const b of [0, 1, 0]) ws.send(JSON.stringify({pointer: {x: 60, y: 60, buttons: b}}));
               ws.send(JSON.stringify({key: {keysym: 120, down: true}}));
               ws.send(JSON.stringify({key: {keysym: 120, down: false}}));
               ws.close();
               done('sent');
             };
             ws.onerror = () => done('refused');",
            vec![json!(s.0)],
        )
        .await
        .unwrap();
    assert_eq!(
        forged, "sent",
        "a viewer's socket opens; its input is dropped"
    );

    // Alice has control: her click is the first thing the window hears, and the vendor sees it
    // turn green.
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    for buttons in [0, 1, 0] {
        view.pointer(90, 80, buttons).await.unwrap();
    }
    assert_eq!(
        seen.recv_timeout(WAIT).unwrap(),
        Seen::Click(50, 40),
        "the vendor's clicks and keys never arrived; the customer said {}",
        said(home.path(), "customer.err")
    );
    canvas_shows(&page, inside, GREEN, "the window turn green").await;

    // The session ends: the page says so, and the screen is gone.
    alice
        .command(Command::EndSession { session: s })
        .await
        .unwrap();
    let ended = page
        .wait()
        .for_element(Locator::Css("#status.ended"))
        .await
        .unwrap();
    assert_eq!(ended.text().await.unwrap(), "The session has ended.");
    let hidden = page
        .execute(
            "return document.getElementById('screen').hidden",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(hidden, json!(true), "the screen is gone");
    let keys = page
        .execute("return document.getElementById('keys').hidden", Vec::new())
        .await
        .unwrap();
    assert_eq!(keys, json!(true), "no typing field once the session ended");
    shot(&page, "external-web-console-ended").await;
}

/// Under a policy with control and the shell ("Vendor engineer"), the page's clicks and keys
/// reach the customer's window, its command line runs in the customer's shell, and when the
/// technician removes the vendor (M1) the page says so and its streams close.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_engineer_controls_the_screen_and_uses_the_shell_from_the_browser() {
    let j = join_in_browser("Vendor engineer").await;
    let (page, s) = (&j.page, j.session);
    let (x, y, _, _) = WINDOW;
    let inside = (
        u32::try_from(x).unwrap() + 20,
        u32::try_from(y).unwrap() + 20,
    );
    canvas_shows(page, inside, RED, "the red window").await;
    page.wait()
        .for_element(Locator::XPath(
            "//p[@id='screen-mode'][starts-with(., 'You may point and type')]",
        ))
        .await
        .unwrap();

    // A click on the window at (20, 20) of it, then keys typed on the canvas.
    click_canvas(page, inside).await;
    assert_eq!(
        j.seen.recv_timeout(WAIT).unwrap(),
        Seen::Click(20, 20),
        "the customer said {}",
        said(j.home.path(), "customer.err")
    );
    // Seen away from the pointer, which the page draws where the click put it.
    canvas_shows(page, (120, 100), GREEN, "the window turn green").await;
    page.find(Locator::Id("canvas"))
        .await
        .unwrap()
        .send_keys("ok")
        .await
        .unwrap();
    let typed: Vec<Seen> = (0..2).map(|_| j.seen.recv_timeout(WAIT).unwrap()).collect();
    assert_eq!(typed, [Seen::Typed('o'), Seen::Typed('k')]);
    // A phone's keyboard types into the field under the picture: its characters arrive too.
    page.find(Locator::Css("#keys:not([hidden]) #typing"))
        .await
        .unwrap()
        .send_keys("hi!")
        .await
        .unwrap();
    let typed: Vec<Seen> = (0..3).map(|_| j.seen.recv_timeout(WAIT).unwrap()).collect();
    assert_eq!(
        typed,
        [Seen::Typed('h'), Seen::Typed('i'), Seen::Typed('!')]
    );

    // The shell: once the technician opened it (the customer allowed it), the vendor's panel
    // appears and runs what they type.
    j.alice
        .command(Command::StartShell { session: s })
        .await
        .unwrap();
    let line = page
        .wait()
        .for_element(Locator::Css("#shell:not([hidden]) #command-line"))
        .await
        .unwrap();
    line.send_keys("echo web-$((6*7))").await.unwrap();
    page.find(Locator::Css("#command button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    page.wait()
        .for_element(Locator::XPath(
            "//pre[@id='terminal'][contains(., 'web-42')]",
        ))
        .await
        .unwrap();
    shot(page, "external-web-console-shell").await;

    // Removed by the technician: the page says why, and the screen and shell are gone.
    let me = j.alice.current().state.sessions[&s]
        .externals
        .keys()
        .next()
        .copied()
        .unwrap();
    j.alice
        .command(Command::RemoveMember {
            session: s,
            member: Participant::External(me),
        })
        .await
        .unwrap();
    let ended = page
        .wait()
        .for_element(Locator::Css("#status.ended"))
        .await
        .unwrap();
    assert_eq!(
        ended.text().await.unwrap(),
        "The technician removed you from the session."
    );
    let panels = page
        .execute(
            "return [document.getElementById('screen').hidden, document.getElementById('shell').hidden]",
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(panels, json!([true, true]));
}
