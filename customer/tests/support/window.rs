//! A test X client: a red window that turns green when clicked and reports the clicks and keys
//! it receives, for the tests that see and control the customer's screen.
use std::sync::mpsc;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    ChangeWindowAttributesAux, ConnectionExt as _, CreateWindowAux, EventMask, WindowClass,
};

pub const RED: u32 = 0xFFFF_0000;
pub const GREEN: u32 = 0xFF00_FF00;
pub const BLACK: u32 = 0xFF00_0000;
/// The test window: 100 x 80 at (40, 40).
pub const WINDOW: (i16, i16, u16, u16) = (40, 40, 100, 80);

/// What the test X client saw: a click at a point in its window, or a typed character.
#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    Click(i16, i16),
    Typed(char),
}

/// A test X client on `display`: a red window that turns green when clicked and reports the
/// clicks and keys it receives.
pub fn test_client(display: &str) -> mpsc::Receiver<Seen> {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let (seen_tx, seen) = mpsc::channel();
    std::thread::spawn(move || {
        let root = &conn.setup().roots[screen];
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let map = conn
            .get_keyboard_mapping(min, max - min + 1)
            .unwrap()
            .reply()
            .unwrap();
        let per = usize::from(map.keysyms_per_keycode);
        let window = conn.generate_id().unwrap();
        let (x, y, w, h) = WINDOW;
        conn.create_window(
            24,
            window,
            root.root,
            x,
            y,
            w,
            h,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .background_pixel(0x00FF_0000)
                .override_redirect(1)
                .event_mask(EventMask::BUTTON_PRESS | EventMask::KEY_PRESS),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.flush().unwrap();
        while let Ok(event) = conn.wait_for_event() {
            let report = match event {
                Event::ButtonPress(e) => {
                    let green = ChangeWindowAttributesAux::new().background_pixel(0x0000_FF00);
                    conn.change_window_attributes(window, &green).unwrap();
                    conn.clear_area(false, window, 0, 0, 0, 0).unwrap();
                    conn.flush().unwrap();
                    Seen::Click(e.event_x, e.event_y)
                }
                Event::KeyPress(e) => {
                    let at =
                        usize::from(e.detail - min) * per + usize::from(u16::from(e.state) & 1);
                    match map.keysyms[at] {
                        // Modifiers (Shift) and other function keys are not characters.
                        0xff00.. => continue,
                        keysym => Seen::Typed(char::from_u32(keysym).unwrap_or('?')),
                    }
                }
                _ => continue,
            };
            if seen_tx.send(report).is_err() {
                break;
            }
        }
    });
    seen
}
