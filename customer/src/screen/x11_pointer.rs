//! The customer's pointer on X11 (issue 15): its place, read when the display reports motion
//! (XInput 2 raw motion, so an idle pointer costs nothing; every tick where the display has no
//! XInput 2), and its shape through XFIXES, read only when the display says it changed (a text
//! caret over a field, a hand over a link) or a new viewer needs it. Sent as cursor messages, not drawn
//! into the frames: a grabbed screen has no pointer in it, and a moving pointer costs six bytes.
use super::{Pointer, Rect, ScreenError, place_within};
use tandem_core::screen::cursor::{self, Cursor, Shape};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xinput::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

fn failed(e: impl std::fmt::Display) -> ScreenError {
    ScreenError::Display(e.to_string())
}

/// Follows the pointer on its own connection to the display.
#[derive(Debug)]
pub struct X11Pointer {
    conn: RustConnection,
    root: Window,
    /// The place last sent.
    sent: Option<(u16, u16)>,
    /// The shape changed since it was last sent (or was never sent).
    reshaped: bool,
    /// The display reports motion; without it, the place is asked for every time.
    motion_reported: bool,
    /// The pointer moved since its place was last asked for.
    moved: bool,
}

impl X11Pointer {
    /// Connect to a named display (`:1`), or to `DISPLAY`'s, and ask to hear of new shapes.
    ///
    /// # Errors
    /// When there is no display, or it has no XFIXES.
    pub fn connect_to(display: Option<&str>) -> Result<Self, ScreenError> {
        let (conn, number) =
            RustConnection::connect(display).map_err(|e| ScreenError::NoDisplay(e.to_string()))?;
        let root = conn
            .setup()
            .roots
            .get(number)
            .ok_or_else(|| ScreenError::NoDisplay("the display has no such screen".into()))?
            .root;
        conn.xfixes_query_version(4, 0)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        conn.xfixes_select_cursor_input(root, xfixes::CursorNotifyMask::DISPLAY_CURSOR)
            .map_err(failed)?
            .check()
            .map_err(failed)?;
        let motion_reported = Self::hear_motion(&conn, root)
            .inspect_err(|e| tracing::info!(error = %e, "no motion reports; asking for the pointer each tick"))
            .is_ok();
        Ok(Self {
            conn,
            root,
            sent: None,
            reshaped: true,
            motion_reported,
            moved: true,
        })
    }

    /// Ask the display for raw motion of every pointer (the customer's mouse, the technician's
    /// input through XTEST).
    fn hear_motion(conn: &RustConnection, root: Window) -> Result<(), ScreenError> {
        conn.xinput_xi_query_version(2, 0)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let all_masters = u16::from(bool::from(xinput::Device::ALL_MASTER));
        let mask = xinput::EventMask {
            deviceid: all_masters,
            mask: vec![xinput::XIEventMask::RAW_MOTION],
        };
        conn.xinput_xi_select_events(root, &[mask])
            .map_err(failed)?
            .check()
            .map_err(failed)
    }
}

impl Pointer for X11Pointer {
    fn update(&mut self, again: bool, shown: Option<Rect>) -> Result<Option<Vec<u8>>, ScreenError> {
        while let Some(event) = self.conn.poll_for_event().map_err(failed)? {
            match event {
                Event::XfixesCursorNotify(_) => self.reshaped = true,
                Event::XinputRawMotion(_) => self.moved = true,
                _ => {}
            }
        }
        let place = |x: i16, y: i16| place_within(i32::from(x), i32::from(y), shown);
        if self.reshaped || again {
            self.reshaped = false;
            self.moved = false;
            let image = self
                .conn
                .xfixes_get_cursor_image()
                .map_err(failed)?
                .reply()
                .map_err(failed)?;
            let (x, y) = place(image.x, image.y);
            self.sent = Some((x, y));
            // X's pixels are 32-bit premultiplied ARGB: little-endian, that is B G R A.
            let pixels: Vec<u8> = image
                .cursor_image
                .iter()
                .flat_map(|p| p.to_le_bytes())
                .collect();
            let fits = image.width <= cursor::MAX_SIDE
                && image.height <= cursor::MAX_SIDE
                && pixels.len() == usize::from(image.width) * usize::from(image.height) * 4;
            let shape = fits.then_some(Shape {
                hot_x: image.xhot.min(image.width.saturating_sub(1)),
                hot_y: image.yhot.min(image.height.saturating_sub(1)),
                width: image.width,
                height: image.height,
                pixels: &pixels,
            });
            return Ok(Some(cursor::encode(&Cursor { x, y, shape })));
        }
        if self.motion_reported && !std::mem::take(&mut self.moved) {
            return Ok(None);
        }
        let now = self
            .conn
            .query_pointer(self.root)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let (x, y) = place(now.root_x, now.root_y);
        if self.sent == Some((x, y)) {
            return Ok(None);
        }
        self.sent = Some((x, y));
        Ok(Some(cursor::encode(&Cursor { x, y, shape: None })))
    }
}
