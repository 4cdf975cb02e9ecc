//! X11: capture through MIT-SHM (the server writes the picture into shared memory, one copy
//! out), or plain GetImage where shared memory is unavailable; input through XTEST. The DAMAGE
//! extension says when and where anything was drawn, so an idle screen is not grabbed and
//! compared again and again (issue 15: that cost 10% of a core, 30 times a second, for nothing),
//! and a busy one is read and compared only where it was drawn.
use super::{Area, Capture, Grab, Input, ScreenError, Shift};
use std::collections::HashMap;
use std::os::unix::fs::FileExt;
use tandem_core::screen::monitors::{self, Monitor};
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::shm::ConnectionExt as _;
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{self, ConnectionExt as _, ImageFormat, Window};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

fn failed(e: impl std::fmt::Display) -> ScreenError {
    ScreenError::Display(e.to_string())
}

/// The X11 desktop in `DISPLAY`: its capture, pointer (when the display can report it) and
/// input.
pub(super) fn open() -> Result<super::Desktop, ScreenError> {
    let capture = X11Capture::connect()?;
    let pointer = super::X11Pointer::connect_to(None)
        .inspect_err(|e| tracing::info!(error = %e, "the pointer is not followed"))
        .ok();
    let input = X11Input::connect()?;
    Ok(super::Desktop {
        capture: Box::new(capture),
        pointer: pointer.map(|p| Box::new(p) as Box<dyn super::Pointer>),
        input: Box::new(input),
    })
}

fn connect(display: Option<&str>) -> Result<(RustConnection, Window, u16, u16), ScreenError> {
    let (conn, number) =
        RustConnection::connect(display).map_err(|e| ScreenError::NoDisplay(e.to_string()))?;
    let screen = conn
        .setup()
        .roots
        .get(number)
        .ok_or_else(|| ScreenError::NoDisplay("the display has no such screen".into()))?;
    let (root, width, height) = (screen.root, screen.width_in_pixels, screen.height_in_pixels);
    Ok((conn, root, width, height))
}

/// The X11 display in `DISPLAY`.
#[derive(Debug)]
pub struct X11Capture {
    conn: RustConnection,
    root: Window,
    width: u16,
    height: u16,
    /// The shared segment: the screen, then as much again for the damaged areas read alone.
    shm: Option<(u32, std::fs::File)>,
    pixels: Vec<u8>,
    /// What a grab of the damaged areas reads, before it is put in place.
    scratch: Vec<u8>,
    /// The damage watching the whole screen; `None` where the display has no DAMAGE (or
    /// XFIXES), and every grab takes the whole screen.
    watch: Option<Watch>,
    /// Something was drawn since the last grab (or none was taken yet).
    damaged: bool,
    /// Whether `pixels` hold a whole grab, so that a grab of the damaged areas completes them.
    whole: bool,
    /// Where the last grab found drawing.
    areas: Vec<Area>,
    /// The top-level windows' places (left, top, width, height), as the display reports them.
    windows: HashMap<Window, Place>,
    /// Their places at the last grab.
    windows_at_grab: HashMap<Window, Place>,
    /// The windows moved between the last two grabs.
    shifts: Vec<Shift>,
}

/// A window's left, top, width and height.
type Place = (i32, i32, u16, u16);

/// At most this many moved windows are told to the encoder (each is checked row by row).
const MAX_SHIFTS: usize = 4;

/// The display's record of what was drawn, and the region its areas are taken into.
#[derive(Debug, Clone, Copy)]
struct Watch {
    damage: damage::Damage,
    parts: xfixes::Region,
}

/// Beyond this many damaged areas, their bounding box is read instead: each area is a request.
const MAX_AREAS: usize = 32;

impl X11Capture {
    /// Connect to the display.
    ///
    /// # Errors
    /// When there is no display, or its pixels are not 32 bits.
    pub fn connect() -> Result<Self, ScreenError> {
        Self::connect_to(None)
    }

    /// Connect to a named display (`:1`), or to `DISPLAY`'s.
    ///
    /// # Errors
    /// When there is no display, or its pixels are not 32 bits.
    pub fn connect_to(display: Option<&str>) -> Result<Self, ScreenError> {
        let (conn, root, width, height) = connect(display)?;
        let depth = conn.setup().roots.first().map_or(0, |s| s.root_depth);
        let bpp = conn
            .setup()
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .map_or(0, |f| f.bits_per_pixel);
        if bpp != 32 {
            return Err(ScreenError::Unsupported(format!(
                "depth {depth} at {bpp} bits per pixel"
            )));
        }
        let size = usize::from(width) * usize::from(height) * 4;
        let shm = Self::segment(&conn, size * 2)
            .inspect_err(
                |e| tracing::info!(error = %e, "no shared memory; capturing with GetImage"),
            )
            .ok();
        let watch = Self::watch(&conn, root)
            .inspect_err(|e| tracing::info!(error = %e, "no damage reports; grabbing every frame"))
            .ok();
        let windows = Self::follow_windows(&conn, root)
            .inspect_err(
                |e| tracing::info!(error = %e, "windows not followed; moves are sent as tiles"),
            )
            .unwrap_or_default();
        Ok(Self {
            conn,
            root,
            width,
            height,
            shm,
            pixels: vec![0; size],
            scratch: Vec::new(),
            watch,
            damaged: true,
            whole: false,
            areas: Vec::new(),
            windows_at_grab: windows.clone(),
            windows,
            shifts: Vec::new(),
        })
    }

    /// Ask the display to report the top-level windows' moves, and read where they are now.
    fn follow_windows(
        conn: &RustConnection,
        root: Window,
    ) -> Result<HashMap<Window, Place>, ScreenError> {
        let events = xproto::ChangeWindowAttributesAux::new()
            .event_mask(xproto::EventMask::SUBSTRUCTURE_NOTIFY);
        conn.change_window_attributes(root, &events)
            .map_err(failed)?
            .check()
            .map_err(failed)?;
        let tree = conn
            .query_tree(root)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let asked = tree
            .children
            .iter()
            .map(|w| conn.get_geometry(*w).map(|c| (*w, c)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)?;
        Ok(asked
            .into_iter()
            .filter_map(|(w, cookie)| {
                // A window gone meanwhile is simply not followed.
                let g = cookie.reply().ok()?;
                Some((w, (i32::from(g.x), i32::from(g.y), g.width, g.height)))
            })
            .collect())
    }

    /// The windows whose place changed (same size) since the last grab, the largest first.
    fn take_shifts(&mut self) {
        self.shifts.clear();
        for (window, now) in &self.windows {
            if let Some(before) = self.windows_at_grab.get(window)
                && (before.2, before.3) == (now.2, now.3)
                && (before.0, before.1) != (now.0, now.1)
            {
                self.shifts.push(Shift {
                    from: (before.0, before.1),
                    to: (now.0, now.1),
                    size: (now.2, now.3),
                });
            }
        }
        self.shifts
            .sort_by_key(|s| std::cmp::Reverse(u32::from(s.size.0) * u32::from(s.size.1)));
        self.shifts.truncate(MAX_SHIFTS);
        self.windows_at_grab.clone_from(&self.windows);
    }

    /// Ask the display to say when anything on the screen is drawn: one notice each time the
    /// damage goes from none to some, until the next grab takes it away (into `parts`).
    fn watch(conn: &RustConnection, root: Window) -> Result<Watch, ScreenError> {
        conn.xfixes_query_version(2, 0)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        conn.damage_query_version(1, 1)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let damage = conn.generate_id().map_err(failed)?;
        conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)
            .map_err(failed)?
            .check()
            .map_err(failed)?;
        let parts = conn.generate_id().map_err(failed)?;
        conn.xfixes_create_region(parts, &[])
            .map_err(failed)?
            .check()
            .map_err(failed)?;
        Ok(Watch { damage, parts })
    }

    /// Take the damage away and say where it was, within the screen; whatever is drawn from
    /// here on is noticed again. More than [`MAX_AREAS`] areas become their bounding box.
    fn take_damage(&mut self, watch: Watch) -> Result<(), ScreenError> {
        self.conn
            .damage_subtract(watch.damage, x11rb::NONE, watch.parts)
            .map_err(failed)?;
        let region = self
            .conn
            .xfixes_fetch_region(watch.parts)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let (width, height) = (i32::from(self.width), i32::from(self.height));
        let within = |r: &xproto::Rectangle| {
            let (left, top) = (i32::from(r.x).max(0), i32::from(r.y).max(0));
            let right = (i32::from(r.x) + i32::from(r.width)).min(width);
            let bottom = (i32::from(r.y) + i32::from(r.height)).min(height);
            let side = |v: i32| u16::try_from(v).ok();
            Some(Area {
                x: side(left)?,
                y: side(top)?,
                width: side(right - left).filter(|w| *w > 0)?,
                height: side(bottom - top).filter(|h| *h > 0)?,
            })
        };
        self.areas.clear();
        self.areas
            .extend(region.rectangles.iter().filter_map(within));
        if self.areas.len() > MAX_AREAS {
            let ext = within(&region.extents);
            self.areas.clear();
            self.areas.extend(ext);
        }
        Ok(())
    }

    /// Read the damaged areas into place: all requested at once, into the segment's second half
    /// one after another (the areas of a region do not overlap, so they fit), then read out.
    fn grab_areas(&mut self) -> Result<(), ScreenError> {
        let all_planes = u32::MAX;
        let width = usize::from(self.width);
        let bytes = |a: &Area| usize::from(a.width) * usize::from(a.height) * 4;
        let total: usize = self.areas.iter().map(bytes).sum();
        self.scratch.resize(total, 0);
        if let Some((segment, file)) = &self.shm {
            let base = self.pixels.len();
            let mut cookies = Vec::with_capacity(self.areas.len());
            let mut at = base;
            for a in &self.areas {
                let offset = u32::try_from(at).map_err(failed)?;
                let x = i16::try_from(a.x).map_err(failed)?;
                let y = i16::try_from(a.y).map_err(failed)?;
                cookies.push(
                    self.conn
                        .shm_get_image(
                            self.root,
                            x,
                            y,
                            a.width,
                            a.height,
                            all_planes,
                            ImageFormat::Z_PIXMAP.into(),
                            *segment,
                            offset,
                        )
                        .map_err(failed)?,
                );
                at += bytes(a);
            }
            for cookie in cookies {
                cookie.reply().map_err(failed)?;
            }
            file.read_exact_at(&mut self.scratch, base as u64)
                .map_err(failed)?;
        } else {
            let mut at = 0;
            for a in &self.areas {
                let image = self
                    .conn
                    .get_image(
                        ImageFormat::Z_PIXMAP,
                        self.root,
                        i16::try_from(a.x).map_err(failed)?,
                        i16::try_from(a.y).map_err(failed)?,
                        a.width,
                        a.height,
                        all_planes,
                    )
                    .map_err(failed)?
                    .reply()
                    .map_err(failed)?;
                let to = self
                    .scratch
                    .get_mut(at..at + bytes(a))
                    .filter(|to| to.len() == image.data.len())
                    .ok_or_else(|| ScreenError::Unsupported("unexpected image size".into()))?;
                to.copy_from_slice(&image.data);
                at += bytes(a);
            }
        }
        let mut at = 0;
        for a in &self.areas {
            let row = usize::from(a.width) * 4;
            for y in usize::from(a.y)..usize::from(a.y) + usize::from(a.height) {
                let to = (y * width + usize::from(a.x)) * 4;
                if let (Some(to), Some(from)) = (
                    self.pixels.get_mut(to..to + row),
                    self.scratch.get(at..at + row),
                ) {
                    to.copy_from_slice(from);
                }
                at += row;
            }
        }
        Ok(())
    }

    /// Take in the damage notices received so far.
    fn take_notices(&mut self) -> Result<(), ScreenError> {
        while let Some(event) = self.conn.poll_for_event().map_err(failed)? {
            match event {
                Event::DamageNotify(_) => self.damaged = true,
                Event::ConfigureNotify(e) if e.event == self.root => {
                    let place = (i32::from(e.x), i32::from(e.y), e.width, e.height);
                    self.windows.insert(e.window, place);
                }
                Event::CreateNotify(e) if e.parent == self.root => {
                    let place = (i32::from(e.x), i32::from(e.y), e.width, e.height);
                    self.windows.insert(e.window, place);
                }
                Event::DestroyNotify(e) => {
                    self.windows.remove(&e.window);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A shared memory segment the server creates (MIT-SHM 1.2) and hands over as a file.
    fn segment(conn: &RustConnection, size: usize) -> Result<(u32, std::fs::File), ScreenError> {
        let id = conn.generate_id().map_err(failed)?;
        let len = u32::try_from(size).map_err(failed)?;
        let reply = conn
            .shm_create_segment(id, len, false)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        Ok((id, std::fs::File::from(reply.shm_fd)))
    }
}

impl Capture for X11Capture {
    fn reports_changes(&self) -> bool {
        self.watch.is_some()
    }

    fn changed(&mut self) -> Result<bool, ScreenError> {
        if self.watch.is_none() {
            return Ok(true);
        }
        self.take_notices()?;
        Ok(self.damaged)
    }

    fn grab(&mut self) -> Result<Grab<'_>, ScreenError> {
        // The damage is taken away before the picture is read: whatever is drawn from here on
        // is noticed again, and whatever was drawn before is in the picture. A notice already
        // on its way only costs one more grab that finds nothing new.
        let partial = match self.watch {
            Some(watch) => {
                self.take_notices()?;
                self.take_shifts();
                self.take_damage(watch)?;
                self.damaged = false;
                self.whole
            }
            None => false,
        };
        if partial {
            self.grab_areas()?;
            return Ok(Grab {
                width: self.width,
                height: self.height,
                pixels: &self.pixels,
                damaged: Some(&self.areas),
                shifts: &self.shifts,
            });
        }
        self.grab_whole()?;
        self.whole = true;
        Ok(Grab::whole(self.width, self.height, &self.pixels))
    }

    fn monitors(&self) -> Result<Vec<Monitor>, ScreenError> {
        X11Capture::monitors(self)
    }
}

impl X11Capture {
    /// The monitors, as RandR 1.5 lists them (active ones; their names cut to a short length).
    ///
    /// # Errors
    /// When the display has no RandR 1.5.
    pub fn monitors(&self) -> Result<Vec<Monitor>, ScreenError> {
        self.conn
            .randr_query_version(1, 5)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let reply = self
            .conn
            .randr_get_monitors(self.root, true)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let listed = reply.monitors.iter().take(monitors::MAX_MONITORS);
        let names: Vec<_> = listed
            .clone()
            .map(|m| self.conn.get_atom_name(m.name))
            .collect::<Result<_, _>>()
            .map_err(failed)?;
        listed
            .zip(names)
            .map(|(m, name)| {
                let name = name.reply().map_err(failed)?.name;
                let mut name = String::from_utf8_lossy(&name).into_owned();
                name.truncate(name.floor_char_boundary(monitors::MAX_NAME));
                Ok(Monitor {
                    name,
                    x: i32::from(m.x),
                    y: i32::from(m.y),
                    width: m.width,
                    height: m.height,
                    primary: m.primary,
                })
            })
            .collect()
    }

    /// Read the whole screen into `pixels`.
    fn grab_whole(&mut self) -> Result<(), ScreenError> {
        let all_planes = u32::MAX;
        match &self.shm {
            Some((segment, file)) => {
                self.conn
                    .shm_get_image(
                        self.root,
                        0,
                        0,
                        self.width,
                        self.height,
                        all_planes,
                        ImageFormat::Z_PIXMAP.into(),
                        *segment,
                        0,
                    )
                    .map_err(failed)?
                    .reply()
                    .map_err(failed)?;
                file.read_exact_at(&mut self.pixels, 0).map_err(failed)?;
            }
            None => {
                let image = self
                    .conn
                    .get_image(
                        ImageFormat::Z_PIXMAP,
                        self.root,
                        0,
                        0,
                        self.width,
                        self.height,
                        all_planes,
                    )
                    .map_err(failed)?
                    .reply()
                    .map_err(failed)?;
                if image.data.len() != self.pixels.len() {
                    return Err(ScreenError::Unsupported("unexpected image size".into()));
                }
                self.pixels.copy_from_slice(&image.data);
            }
        }
        Ok(())
    }
}

/// Pointer and keys through XTEST, on a connection of their own.
#[derive(Debug)]
pub struct X11Input {
    conn: RustConnection,
    root: Window,
    buttons: u8,
    /// For each keycode from `min_keycode`, its keysyms by shift level.
    keymap: Vec<Vec<u32>>,
    min_keycode: u8,
}

/// Keysym of the left Shift key.
const SHIFT_L: u32 = 0xffe1;

impl X11Input {
    /// Connect to the display and read its keyboard mapping.
    ///
    /// # Errors
    /// When there is no display or it has no XTEST.
    pub fn connect() -> Result<Self, ScreenError> {
        let (conn, root, _, _) = connect(None)?;
        conn.xtest_get_version(2, 2)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
        let mapping = conn
            .get_keyboard_mapping(min, max - min + 1)
            .map_err(failed)?
            .reply()
            .map_err(failed)?;
        let per = usize::from(mapping.keysyms_per_keycode.max(1));
        let keymap = mapping.keysyms.chunks(per).map(<[u32]>::to_vec).collect();
        Ok(Self {
            conn,
            root,
            buttons: 0,
            keymap,
            min_keycode: min,
        })
    }

    /// The keycode for a keysym, and whether Shift must be held for it.
    fn keycode(&self, keysym: u32) -> Option<(u8, bool)> {
        self.keymap.iter().enumerate().find_map(|(i, syms)| {
            let level = syms.iter().take(2).position(|s| *s == keysym)?;
            let code = u8::try_from(usize::from(self.min_keycode) + i).ok()?;
            Some((code, level == 1))
        })
    }

    fn fake(&self, kind: u8, detail: u8, x: i16, y: i16) -> Result<(), ScreenError> {
        self.conn
            .xtest_fake_input(kind, detail, x11rb::CURRENT_TIME, self.root, x, y, 0)
            .map_err(failed)?;
        Ok(())
    }
}

impl Input for X11Input {
    fn pointer(&mut self, x: u16, y: u16, buttons: u8) -> Result<(), ScreenError> {
        let (x, y) = (
            i16::try_from(x).unwrap_or(i16::MAX),
            i16::try_from(y).unwrap_or(i16::MAX),
        );
        self.fake(xproto::MOTION_NOTIFY_EVENT, 0, x, y)?;
        for bit in 0..3u8 {
            let (was, now) = (self.buttons >> bit & 1, buttons >> bit & 1);
            if was != now {
                let kind = if now == 1 {
                    xproto::BUTTON_PRESS_EVENT
                } else {
                    xproto::BUTTON_RELEASE_EVENT
                };
                self.fake(kind, bit + 1, 0, 0)?;
            }
        }
        self.buttons = buttons & 0b111;
        self.conn.flush().map_err(failed)
    }

    fn key(&mut self, keysym: u32, down: bool) -> Result<(), ScreenError> {
        let Some((code, shifted)) = self.keycode(keysym) else {
            tracing::debug!(keysym, "no key for this keysym on the customer's keyboard");
            return Ok(());
        };
        let shift = if shifted {
            self.keycode(SHIFT_L).map(|(c, _)| c)
        } else {
            None
        };
        let kind = if down {
            xproto::KEY_PRESS_EVENT
        } else {
            xproto::KEY_RELEASE_EVENT
        };
        if let (Some(s), true) = (shift, down) {
            self.fake(xproto::KEY_PRESS_EVENT, s, 0, 0)?;
        }
        self.fake(kind, code, 0, 0)?;
        if let (Some(s), false) = (shift, down) {
            self.fake(xproto::KEY_RELEASE_EVENT, s, 0, 0)?;
        }
        self.conn.flush().map_err(failed)
    }
}
