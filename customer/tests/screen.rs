//! The customer's screen end to end under Xvfb: a test X client draws a red window; the
//! technician, on the console core's streaming client through a real appliance, sees its
//! pixels, clicks it (it turns green) and types into it, while a view-only share and an outsider
//! get nowhere (A1, G3).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};
use support::window::{BLACK, GREEN, RED, Seen, test_client};
use support::{WAIT, join_with, said, share, shared_session, sign_in, take_session};
use tandem_core::client::{ClientError, Picture, ScreenView};
use tandem_core::domain::Command;
use tandem_e2e::{Appliance, Display};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ChangeWindowAttributesAux, ConnectionExt as _, CreateWindowAux, WindowClass,
};

/// The newest picture once `test` holds for it.
async fn picture_where(view: &ScreenView, what: &str, test: impl Fn(&Picture) -> bool) -> Picture {
    let deadline = Instant::now() + WAIT;
    let mut last: Option<Picture> = None;
    while Instant::now() < deadline {
        if let Some(p) = view.latest(last.as_ref().map_or(0, |p| p.seq)) {
            if test(&p) {
                return p;
            }
            last = Some(p);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "the technician never saw {what}; the last picture had (60, 60) = {:x?}",
        last.and_then(|p| p.argb(60, 60))
    );
}

async fn click(view: &ScreenView, x: u16, y: u16) {
    for buttons in [0, 1, 0] {
        view.pointer(x, y, buttons).await.unwrap();
    }
}

async fn type_text(view: &ScreenView, text: &str) {
    for c in text.chars() {
        view.key(u32::from(c), true).await.unwrap();
        view.key(u32::from(c), false).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_sees_the_customers_screen_clicks_and_types_into_it() {
    let display = Display::start(320, 240).unwrap();
    let seen = test_client(&display.name);
    let app = Appliance::start().await.unwrap();
    let (alice, dave) = (sign_in(&app, "alice").await, sign_in(&app, "dave").await);
    let key = alice.session_key(None).await.unwrap().key;
    let home = tempfile::tempdir().unwrap();
    let mut customer = support::customer(home.path());
    customer
        .env("DISPLAY", &display.name)
        .env("TANDEM_LOG", "tandem_customer=debug");
    let _customer = join_with(&app, customer, &key, &["--allow-all"]);
    let s = take_session(&alice).await;

    // View only: the picture arrives, but pointer and keys go nowhere (A1).
    share(&alice, s, false).await;
    let view = ScreenView::open(alice.api(), s).await.unwrap_or_else(|e| {
        panic!(
            "{e}; the customer said {:?} and logged {:?}",
            said(home.path(), "customer.out"),
            said(home.path(), "customer.err")
        )
    });
    let first = picture_where(&view, "the red window", |p| p.argb(60, 60) == Some(RED)).await;
    assert_eq!((first.width, first.height), (320, 240));
    assert_eq!(
        first.argb(10, 10),
        Some(BLACK),
        "outside the window, the black background"
    );
    assert_eq!(first.argb(139, 119), Some(RED), "the window's last pixel");
    assert_eq!(first.argb(140, 120), Some(BLACK), "just past the window");
    click(&view, 70, 70).await;
    type_text(&view, "no").await;

    // Dave is not in the session: no screen for him, and no telling the session exists.
    let refused = ScreenView::open(dave.api(), s).await.unwrap_err();
    assert!(
        matches!(&refused, ClientError::Refused { status: 404, .. }),
        "{refused}"
    );

    // Control: the click lands in the window at the point the technician chose, and the
    // technician sees the window turn green; the keys arrive as typed.
    alice
        .command(Command::StopScreen { session: s })
        .await
        .unwrap();
    share(&alice, s, true).await;
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    picture_where(&view, "the red window again", |p| {
        p.argb(60, 60) == Some(RED)
    })
    .await;
    click(&view, 90, 80).await;
    let green = picture_where(&view, "the window turn green", |p| {
        p.argb(60, 60) == Some(GREEN)
    })
    .await;
    assert_eq!(green.argb(10, 10), Some(BLACK));
    // The customer's pointer is drawn where the click put it (X's default cursor, a cross over
    // its hot spot), and only there (issue 15): a grabbed screen has none.
    let pointed = picture_where(&view, "the pointer at the click", |p| {
        p.argb(90, 80).is_some_and(|c| c != GREEN)
    })
    .await;
    assert_eq!(pointed.argb(120, 110), Some(GREEN), "away from the pointer");
    type_text(&view, "Hi").await;
    let events: Vec<Seen> = (0..3).map(|_| seen.recv_timeout(WAIT).unwrap()).collect();
    assert_eq!(
        events,
        [Seen::Click(50, 40), Seen::Typed('H'), Seen::Typed('i')],
        "the view-only click and keys never arrived; the controlled ones did, in order"
    );

    // Stopping the share ends the technician's stream.
    alice
        .command(Command::StopScreen { session: s })
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while !view.is_closed() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(view.is_closed(), "the stream closes when sharing stops");
}

/// Asks `capture` whether anything was drawn until it says so, for at most [`WAIT`].
fn changed_within_wait(capture: &mut tandem_customer::screen::X11Capture) -> bool {
    use tandem_customer::screen::Capture as _;
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if capture.changed().unwrap() {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

/// An idle screen is not grabbed again and again (issue 15): the display's damage reports say
/// when something was drawn, and only then is the screen grabbed and compared.
#[test]
fn an_idle_screen_is_grabbed_again_only_once_something_is_drawn() {
    use tandem_customer::screen::{Capture as _, X11Capture};
    let display = Display::start(320, 200).unwrap();
    let mut capture = X11Capture::connect_to(Some(&display.name)).unwrap();
    assert!(capture.changed().unwrap(), "nothing was grabbed yet");
    let pixel = |capture: &mut X11Capture, x: usize, y: usize| {
        let grab = capture.grab().unwrap();
        let at = (y * usize::from(grab.width) + x) * 4;
        u32::from_le_bytes(grab.pixels[at..at + 4].try_into().unwrap()) | 0xFF00_0000
    };
    assert_eq!(pixel(&mut capture, 50, 50), BLACK);
    for _ in 0..100 {
        assert!(
            !capture.changed().unwrap(),
            "nothing was drawn, so nothing is grabbed"
        );
    }

    let _client = test_client(&display.name);
    assert!(
        changed_within_wait(&mut capture),
        "a window drawn is noticed"
    );
    // The notice may come before the window is painted in full: the grab it leads to takes
    // the damage away, and the rest of the painting is noticed again.
    let mut red = pixel(&mut capture, 50, 50) == RED;
    while !red && changed_within_wait(&mut capture) {
        red = pixel(&mut capture, 50, 50) == RED;
    }
    assert!(red, "the window is in the picture");
    // Once the picture holds everything drawn, the screen is idle again: at most one more grab
    // for a notice that was already on its way.
    if capture.changed().unwrap() {
        let _ = pixel(&mut capture, 50, 50);
    }
    assert!(
        !capture.changed().unwrap(),
        "idle again after the window was drawn"
    );
}

/// A busy screen is read only where something was drawn (issue 15), and the picture stays
/// the screen: after two small rectangles are drawn far apart, the grab says where they are,
/// not the whole screen, and its pixels are those of a whole grab taken afresh.
#[test]
fn a_grab_reads_only_what_was_drawn_and_still_holds_the_whole_screen() {
    use tandem_customer::screen::{Area, Capture as _, X11Capture};
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{ConnectionExt as _, CreateGCAux, Rectangle};
    use x11rb::wrapper::ConnectionExt as _;
    let display = Display::start(320, 200).unwrap();
    let mut capture = X11Capture::connect_to(Some(&display.name)).unwrap();
    assert_eq!(
        capture.grab().unwrap().damaged,
        None,
        "the first grab is whole"
    );

    let (conn, screen) = x11rb::connect(Some(&display.name)).unwrap();
    let root = conn.setup().roots[screen].root;
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, root, &CreateGCAux::new().foreground(0x00FF_0000))
        .unwrap();
    let drawn = [
        Rectangle {
            x: 10,
            y: 20,
            width: 30,
            height: 5,
        },
        Rectangle {
            x: 250,
            y: 150,
            width: 8,
            height: 40,
        },
    ];
    // Two drawings (as two windows would draw): the display's damage of one request is its
    // bounding box.
    for r in &drawn {
        conn.poly_fill_rectangle(root, gc, std::slice::from_ref(r))
            .unwrap();
    }
    conn.sync().unwrap();
    assert!(changed_within_wait(&mut capture), "the drawing is noticed");

    let grab = capture.grab().unwrap();
    let areas = grab.damaged.unwrap().to_vec();
    let covered = |x: u16, y: u16| {
        areas
            .iter()
            .any(|a| a.meets((usize::from(x), usize::from(y), 1, 1)))
    };
    for r in &drawn {
        let (x, y) = (r.x as u16, r.y as u16);
        assert!(
            covered(x, y) && covered(x + r.width - 1, y + r.height - 1),
            "{r:?} in {areas:?}"
        );
    }
    let read: u32 = areas
        .iter()
        .map(|a: &Area| u32::from(a.width) * u32::from(a.height))
        .sum();
    assert!(read < 320 * 200 / 10, "only the drawing is read: {areas:?}");
    let partial = grab.pixels.to_vec();
    let mut fresh = X11Capture::connect_to(Some(&display.name)).unwrap();
    let whole = fresh.grab().unwrap();
    assert!(
        whole.pixels == partial.as_slice(),
        "the picture is the whole screen"
    );
    let red = |x: usize, y: usize| partial[(y * 320 + x) * 4 + 2] == 0xFF;
    assert!(red(11, 21) && red(255, 189) && !red(100, 100));
}

/// A window dragged across the screen (issue 15) is sent as a move of what the viewers hold,
/// not as its pixels again: the display reports the move, and the pixels bear it out.
#[test]
fn a_window_dragged_is_sent_as_a_move_of_what_the_viewer_holds() {
    use tandem_core::screen::{Move, decode};
    use tandem_customer::screen::{Capture as _, Encoder, X11Capture};
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{
        ChangeGCAux, ConfigureWindowAux, ConnectionExt as _, CreateGCAux, CreateWindowAux,
        Rectangle, WindowClass,
    };
    use x11rb::wrapper::ConnectionExt as _;
    let display = Display::start(320, 240).unwrap();
    let (conn, screen) = x11rb::connect(Some(&display.name)).unwrap();
    let root = conn.setup().roots[screen].clone();
    // A window of coloured stripes of different widths.
    let pixmap = conn.generate_id().unwrap();
    conn.create_pixmap(root.root_depth, pixmap, root.root, 120, 80)
        .unwrap();
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, pixmap, &CreateGCAux::new()).unwrap();
    for i in 0..12u32 {
        let colour = 0x0010_2030u32.wrapping_mul(i + 1) & 0x00FF_FFFF;
        conn.change_gc(gc, &ChangeGCAux::new().foreground(colour))
            .unwrap();
        let stripe = Rectangle {
            x: (i * 10) as i16,
            y: 0,
            width: 10,
            height: (8 + i * 6) as u16,
        };
        conn.poly_fill_rectangle(pixmap, gc, &[stripe]).unwrap();
    }
    let window = conn.generate_id().unwrap();
    let aux = CreateWindowAux::new()
        .override_redirect(1)
        .background_pixmap(pixmap);
    conn.create_window(
        root.root_depth,
        window,
        root.root,
        10,
        10,
        120,
        80,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &aux,
    )
    .unwrap();
    conn.map_window(window).unwrap();
    conn.sync().unwrap();

    let mut capture = X11Capture::connect_to(Some(&display.name)).unwrap();
    let mut encoder = Encoder::default();
    assert!(
        encoder
            .encode(&capture.grab().unwrap(), true, None)
            .is_some()
    );
    conn.configure_window(window, &ConfigureWindowAux::new().x(60).y(50))
        .unwrap();
    conn.sync().unwrap();
    assert!(changed_within_wait(&mut capture), "the move is noticed");
    let grab = capture.grab().unwrap();
    let bytes = encoder.encode(&grab, false, None).unwrap();
    let frame = decode(&bytes).unwrap();
    assert_eq!(
        frame.moves,
        vec![Move {
            x: 60,
            y: 50,
            w: 120,
            h: 80,
            from_x: 10,
            from_y: 10
        }]
    );
    // What is sent besides is the desktop uncovered, not the window: far less than the window.
    let sent: usize = frame
        .tiles
        .iter()
        .map(|t| usize::from(t.w) * usize::from(t.h))
        .sum();
    assert!(sent < 120 * 80, "{sent} pixels sent");
}

/// The customer's pointer is followed (issue 15): its shape is sent first and again only when
/// it changes or a viewer needs it, a move is a six-byte message, and no move sends nothing.
#[test]
fn the_pointer_is_sent_as_its_shape_once_then_as_its_moves() {
    use tandem_core::screen::cursor::decode;
    use tandem_customer::screen::{Pointer as _, X11Pointer};
    use x11rb::connection::Connection as _;
    use x11rb::protocol::xproto::{
        ChangeWindowAttributesAux, ConnectionExt as _, MOTION_NOTIFY_EVENT,
    };
    use x11rb::protocol::xtest::ConnectionExt as _;
    use x11rb::wrapper::ConnectionExt as _;
    let display = Display::start(320, 240).unwrap();
    let (conn, screen) = x11rb::connect(Some(&display.name)).unwrap();
    let root = conn.setup().roots[screen].root;
    conn.warp_pointer(x11rb::NONE, root, 0, 0, 0, 0, 100, 80)
        .unwrap();
    conn.sync().unwrap();
    let mut pointer = X11Pointer::connect_to(Some(&display.name)).unwrap();

    let first = pointer.update(false, None).unwrap().unwrap();
    let cursor = decode(&first).unwrap();
    assert_eq!((cursor.x, cursor.y), (100, 80));
    let shape = cursor.shape.expect("the shape comes first");
    assert!(
        shape.width > 0 && shape.pixels.iter().any(|b| *b != 0),
        "{shape:?}"
    );
    let first_shape = shape.pixels.to_vec();
    assert_eq!(pointer.update(false, None).unwrap(), None, "nothing moved");

    // Moved as a mouse (or the technician's control) moves it: the display reports it.
    conn.xtest_fake_input(
        MOTION_NOTIFY_EVENT,
        0,
        x11rb::CURRENT_TIME,
        root,
        150,
        90,
        0,
    )
    .unwrap();
    conn.sync().unwrap();
    let deadline = Instant::now() + WAIT;
    let moved = loop {
        if let Some(message) = pointer.update(false, None).unwrap() {
            break message;
        }
        assert!(Instant::now() < deadline, "the move was not sent");
        std::thread::yield_now();
    };
    assert_eq!(moved.len(), 6, "a move is six bytes");
    assert_eq!(
        decode(&moved).map(|c| (c.x, c.y, c.shape.is_none())),
        Ok((150, 90, true))
    );
    let again = pointer.update(true, None).unwrap().unwrap();
    assert!(
        decode(&again).unwrap().shape.is_some(),
        "a key frame's viewer gets the shape"
    );

    // Another shape (the font cursor "hand2", as over a link) is noticed and sent.
    let font = conn.generate_id().unwrap();
    conn.open_font(font, b"cursor").unwrap();
    let hand = conn.generate_id().unwrap();
    conn.create_glyph_cursor(hand, font, font, 60, 61, 0, 0, 0, 0xFFFF, 0xFFFF, 0xFFFF)
        .unwrap();
    conn.change_window_attributes(root, &ChangeWindowAttributesAux::new().cursor(hand))
        .unwrap();
    conn.sync().unwrap();
    let deadline = Instant::now() + WAIT;
    let reshaped = loop {
        if let Some(message) = pointer.update(false, None).unwrap()
            && let Some(shape) = decode(&message).unwrap().shape
        {
            break shape.pixels.to_vec();
        }
        assert!(Instant::now() < deadline, "the new shape was not sent");
        std::thread::yield_now();
    };
    assert_ne!(reshaped, first_shape);
}

/// A window over the whole screen that changes colour every 10 ms until the flag is dropped.
fn animation(display: &str) -> std::sync::Arc<()> {
    let alive = std::sync::Arc::new(());
    let watch = std::sync::Arc::downgrade(&alive);
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    std::thread::spawn(move || {
        let root = &conn.setup().roots[screen];
        let window = conn.generate_id().unwrap();
        let (w, h) = (root.width_in_pixels, root.height_in_pixels);
        conn.create_window(
            24,
            window,
            root.root,
            0,
            0,
            w,
            h,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new().background_pixel(0),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        let mut colour = 0u32;
        while watch.upgrade().is_some() {
            colour = colour.wrapping_add(0x0001_0305) & 0x00FF_FFFF;
            let aux = ChangeWindowAttributesAux::new().background_pixel(colour);
            let _ = conn.change_window_attributes(window, &aux);
            let _ = conn.clear_area(false, window, 0, 0, 0, 0);
            let _ = conn.flush();
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    alive
}

/// The numbers of the frames that arrive on a raw screen socket within `time`.
async fn frames_within(
    socket: &mut tandem_core::client::StreamSocket,
    time: Duration,
) -> Vec<(u32, bool)> {
    use futures_util::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    let deadline = tokio::time::Instant::now() + time;
    let mut frames = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        // The pointer's and the monitors' messages come between frames, unnumbered.
        if let Message::Binary(bytes) = message
            && tandem_core::screen::number_of(&bytes).is_some()
        {
            let frame = tandem_core::screen::decode(&bytes).unwrap();
            frames.push((frame.number, frame.key));
        }
    }
    frames
}

/// On a link slower than the screen changes, frames must not pile up in some buffer (issue 15):
/// the customer client sends the next frame only while the viewers have acknowledged all but
/// two of those before it, or all but a few small ones. A viewer that stops acknowledging is
/// sent nothing more; acknowledgements let as many more go; the console core's view
/// acknowledges as it paints and gets a stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_is_sent_only_a_few_frames_it_has_not_acknowledged() {
    use futures_util::SinkExt as _;
    use tandem_core::screen::ViewerMessage;
    use tokio_tungstenite::tungstenite::Message;
    let display = Display::start(320, 240).unwrap();
    let _animation = animation(&display.name);
    let (_app, alice, s, _customer, _home) = shared_session(&display, false).await;

    let mut socket =
        tandem_core::client::open_stream(alice.api(), &format!("api/v1/sessions/{}/screen", s.0))
            .await
            .unwrap();
    let text = |m: &ViewerMessage| Message::Text(serde_json::to_string(m).unwrap().into());
    socket.send(text(&ViewerMessage::Refresh)).await.unwrap();
    // The screen changes 100 times a second, in frames of a few hundred bytes; in 1.5 s (under
    // the 3 s after which a silent window is probed again) this viewer gets its key frame and
    // five more (small frames: six in flight, under 32 KiB together), no more.
    let first = frames_within(&mut socket, Duration::from_millis(1500)).await;
    // (If the customer client's first key frame, sent when sharing started, reached this viewer
    // too, the window counts from the key frame that answered the request.)
    let key_at = first
        .iter()
        .rposition(|(_, key)| *key)
        .expect("a key frame");
    let after_key: Vec<u32> = first[key_at..].iter().map(|(n, _)| *n).collect();
    let k = after_key[0];
    let from_k = |n: u32| (0..n).map(|i| k.wrapping_add(i)).collect::<Vec<_>>();
    assert_eq!(after_key, from_k(6), "{first:?}");

    // Acknowledging the first two lets two more go.
    socket
        .send(text(&ViewerMessage::Ack {
            number: k.wrapping_add(1),
        }))
        .await
        .unwrap();
    let next: Vec<u32> = frames_within(&mut socket, Duration::from_millis(1500))
        .await
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(next, from_k(8)[6..], "two more for two acknowledged");
    drop(socket);

    let view = ScreenView::open(alice.api(), s).await.unwrap();
    // Without acknowledgements it would get six frames, then six every 3 s: at most 24 in the
    // 10 s picture_where waits.
    picture_where(&view, "40 pictures: a stream, not probes", |p| p.seq >= 40).await;
}

/// A phone shows the screen smaller than it is (issue 15): it says how many pixels it shows it
/// in, and is sent the screen scaled down to fit rather than every pixel; a click on the small
/// picture lands on the same spot of the real screen; asking for more (zooming in) brings back
/// every pixel, never more than the screen has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_is_sent_the_screen_at_the_size_it_shows_it_and_its_clicks_land_in_place() {
    let display = Display::start(320, 240).unwrap();
    let seen = test_client(&display.name);
    let (_app, alice, s, _customer, _home) = shared_session(&display, true).await;
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    picture_where(&view, "the whole screen", |p| p.argb(60, 60) == Some(RED)).await;

    // A portrait phone: 160 pixels across. The 320x240 screen comes at 160x120.
    view.show(160, 400).await.unwrap();
    let small = picture_where(&view, "the screen at half size", |p| p.width == 160).await;
    assert_eq!((small.width, small.height), (160, 120));
    assert_eq!(
        small.argb(30, 30),
        Some(RED),
        "the window, at half its place"
    );
    assert_eq!(small.argb(5, 5), Some(BLACK));
    assert_eq!(
        small.argb(75, 65),
        Some(BLACK),
        "just past the window's half size"
    );
    // (45, 40) on the half-size picture is (90, 80) on the screen: (50, 40) in the window.
    click(&view, 45, 40).await;
    assert_eq!(seen.recv_timeout(WAIT).unwrap(), Seen::Click(50, 40));

    // Zoomed in past the screen's size: every pixel, and no more.
    view.show(1000, 1000).await.unwrap();
    let whole = picture_where(&view, "the whole screen again", |p| p.width == 320).await;
    assert_eq!((whole.width, whole.height), (320, 240));
    assert_eq!(
        whole.argb(139, 119),
        Some(GREEN),
        "the clicked window's last pixel"
    );
}

/// A customer with two monitors side by side (issue 15): the technician is told of both, picks
/// the right-hand one and is sent it alone, at its own size, and a click on it lands on that
/// monitor; picking the whole desktop brings both back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_picks_one_of_two_monitors_and_is_sent_that_one_alone() {
    use x11rb::connection::Connection as _;
    use x11rb::protocol::Event;
    use x11rb::protocol::randr::{ConnectionExt as _, MonitorInfo};
    use x11rb::protocol::xproto::{
        ChangeWindowAttributesAux, ConnectionExt as _, CreateGCAux, EventMask, Rectangle,
    };
    use x11rb::wrapper::ConnectionExt as _;
    let display = Display::start(640, 240).unwrap();
    let (conn, screen) = x11rb::connect(Some(&display.name)).unwrap();
    let root = conn.setup().roots[screen].root;
    for (name, x) in [("LEFT", 0), ("RIGHT", 320)] {
        let atom = conn
            .intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom;
        let monitor = MonitorInfo {
            name: atom,
            primary: x == 0,
            automatic: false,
            x,
            y: 0,
            width: 320,
            height: 240,
            width_in_millimeters: 85,
            height_in_millimeters: 64,
            outputs: Vec::new(),
        };
        conn.randr_set_monitor(root, monitor).unwrap();
    }
    // Something on the right-hand monitor only: a red square at (400, 50) of the desktop.
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, root, &CreateGCAux::new().foreground(0x00FF_0000))
        .unwrap();
    let square = Rectangle {
        x: 400,
        y: 50,
        width: 40,
        height: 40,
    };
    conn.poly_fill_rectangle(root, gc, &[square]).unwrap();
    conn.sync().unwrap();

    let (_app, alice, s, _customer, _home) = shared_session(&display, true).await;
    let view = ScreenView::open(alice.api(), s).await.unwrap();
    picture_where(&view, "the whole desktop", |p| p.width == 640).await;
    // The customer client lists the monitors before its first frame, on the same socket: by
    // the first picture, the list is in.
    let listed = view.monitors().unwrap_or_default();
    assert_eq!(listed.shown, None, "the whole desktop until one is picked");
    let right = listed
        .monitors
        .iter()
        .position(|m| m.name == "RIGHT")
        .unwrap_or_else(|| panic!("no right-hand monitor listed: {listed:?}"));
    view.monitor(Some(u8::try_from(right).unwrap()))
        .await
        .unwrap();
    let picture = picture_where(&view, "the right-hand monitor alone", |p| {
        p.width == 320 && p.argb(90, 60) == Some(RED)
    })
    .await;
    assert_eq!(picture.argb(10, 10), Some(BLACK));
    let shown = view.monitors().and_then(|m| m.shown);
    assert_eq!(
        shown.map(usize::from),
        Some(right),
        "told which monitor is sent"
    );

    // The technician's pointer at (100, 30) of this monitor is at (420, 30) of the desktop:
    // the display reports the motion the customer client makes (nothing but the root is there).
    conn.change_window_attributes(
        root,
        &ChangeWindowAttributesAux::new().event_mask(EventMask::POINTER_MOTION),
    )
    .unwrap();
    conn.sync().unwrap();
    view.pointer(100, 30, 0).await.unwrap();
    let moved = tokio::task::spawn_blocking(move || {
        loop {
            if let Event::MotionNotify(m) = conn.wait_for_event().unwrap() {
                break (m.root_x, m.root_y);
            }
        }
    });
    let at = tokio::time::timeout(WAIT, moved)
        .await
        .expect("no motion reported")
        .unwrap();
    assert_eq!(at, (420, 30));

    view.monitor(None).await.unwrap();
    picture_where(&view, "the whole desktop again", |p| {
        p.width == 640 && p.argb(410, 60) == Some(RED)
    })
    .await;
}
