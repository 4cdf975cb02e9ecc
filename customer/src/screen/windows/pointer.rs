//! The customer's pointer on Windows: its place from `GetCursorInfo`, and its picture, read
//! again only when the cursor handle changes (an arrow, a caret, a hand), from the cursor's
//! colour bitmap (with its alpha, or opaque where it has none) or, for a monochrome cursor,
//! from its AND and XOR masks.
use super::super::{Pointer, Rect, ScreenError, place_within};
use super::virtual_screen;
use tandem_core::screen::cursor::{self, Cursor, MAX_SIDE, Shape};
use windows_sys::Win32::Graphics::Gdi::{
    BITMAP, DIB_RGB_COLORS, DeleteObject, GetDC, GetDIBits, GetObjectW, HBITMAP, ReleaseDC,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CURSOR_SHOWING, CURSORINFO, GetCursorInfo, GetIconInfo, HCURSOR, ICONINFO,
};

/// Follows the pointer; the last place and cursor sent.
#[derive(Debug, Default)]
pub struct WindowsPointer {
    sent: Option<(u16, u16)>,
    /// The cursor handle last sent, as a number (a handle is not `Send`).
    shape: usize,
}

/// A bitmap's pixels as top-down 32-bit B G R A, with its width and height.
fn pixels(bitmap: HBITMAP) -> Option<(u16, u16, Vec<u8>)> {
    let mut header = BITMAP::default();
    let size = i32::try_from(std::mem::size_of::<BITMAP>()).ok()?;
    // SAFETY: `header` is a BITMAP of `size` bytes, what GetObjectW fills for a bitmap.
    if unsafe { GetObjectW(bitmap, size, (&raw mut header).cast()) } == 0 {
        return None;
    }
    let (w, h) = (header.bmWidth, header.bmHeight);
    let (width, height) = (u16::try_from(w).ok()?, u16::try_from(h).ok()?);
    let mut out = vec![0u8; usize::from(width) * usize::from(height) * 4];
    let mut info = super::top_down_32(w, h);
    // SAFETY: the screen DC is released below; `out` holds `height` rows of `width` 4-byte
    // pixels, what the header asks for.
    let rows = unsafe {
        let dc = GetDC(std::ptr::null_mut());
        let rows = GetDIBits(
            dc,
            bitmap,
            0,
            u32::from(height),
            out.as_mut_ptr().cast(),
            &raw mut info,
            DIB_RGB_COLORS,
        );
        ReleaseDC(std::ptr::null_mut(), dc);
        rows
    };
    (rows == h).then_some((width, height, out))
}

/// The cursor's picture as premultiplied B G R A, and its hot spot.
fn shape_of(cursor: HCURSOR) -> Option<(u16, u16, u16, u16, Vec<u8>)> {
    let mut icon = ICONINFO::default();
    // SAFETY: `icon` is an ICONINFO; the bitmaps it returns are deleted below.
    if unsafe { GetIconInfo(cursor, &raw mut icon) } == 0 {
        return None;
    }
    let colour = (!icon.hbmColor.is_null())
        .then(|| pixels(icon.hbmColor))
        .flatten();
    let mask = (!icon.hbmMask.is_null())
        .then(|| pixels(icon.hbmMask))
        .flatten();
    // SAFETY: GetIconInfo made these bitmaps for the caller to delete.
    unsafe {
        if !icon.hbmColor.is_null() {
            DeleteObject(icon.hbmColor);
        }
        if !icon.hbmMask.is_null() {
            DeleteObject(icon.hbmMask);
        }
    }
    let (hot_x, hot_y) = (
        u16::try_from(icon.xHotspot).ok()?,
        u16::try_from(icon.yHotspot).ok()?,
    );
    let picture = match (colour, mask) {
        (Some((w, h, mut bgra)), mask) => {
            if bgra.chunks_exact(4).all(|p| p[3] == 0) {
                // No alpha: opaque where the AND mask is black.
                for (i, p) in bgra.chunks_exact_mut(4).enumerate() {
                    let transparent = mask
                        .as_ref()
                        .is_some_and(|(_, _, m)| m.get(i * 4).is_some_and(|v| *v != 0));
                    if transparent {
                        p.copy_from_slice(&[0, 0, 0, 0]);
                    } else {
                        p[3] = 255;
                    }
                }
            }
            (w, h, bgra)
        }
        // Monochrome: the mask is twice as tall, the AND mask above the XOR mask.
        (None, Some((w, h2, m))) => {
            let h = h2 / 2;
            let half = usize::from(w) * usize::from(h) * 4;
            let (and, xor) = m.split_at(half);
            let bgra = and
                .chunks_exact(4)
                .zip(xor.chunks_exact(4))
                .flat_map(|(a, x)| match (a[0] != 0, x[0] != 0) {
                    (false, false) => [0, 0, 0, 255],
                    (false, true) => [255, 255, 255, 255],
                    (true, false) => [0, 0, 0, 0],
                    // Inverted screen: drawn black, which shows on most backgrounds.
                    (true, true) => [0, 0, 0, 255],
                })
                .collect();
            (w, h, bgra)
        }
        (None, None) => return None,
    };
    let (w, h, bgra) = picture;
    (w <= MAX_SIDE && h <= MAX_SIDE).then_some((
        hot_x.min(w.saturating_sub(1)),
        hot_y.min(h.saturating_sub(1)),
        w,
        h,
        bgra,
    ))
}

impl Pointer for WindowsPointer {
    fn update(&mut self, again: bool, shown: Option<Rect>) -> Result<Option<Vec<u8>>, ScreenError> {
        let mut info = CURSORINFO {
            cbSize: u32::try_from(std::mem::size_of::<CURSORINFO>()).unwrap_or(0),
            ..CURSORINFO::default()
        };
        // SAFETY: `info` is a CURSORINFO with its size set.
        if unsafe { GetCursorInfo(&raw mut info) } == 0 {
            return Err(ScreenError::Display(format!(
                "GetCursorInfo failed: {}",
                std::io::Error::last_os_error()
            )));
        }
        let (left, top, _, _) = virtual_screen()?;
        let (x, y) = place_within(info.ptScreenPos.x - left, info.ptScreenPos.y - top, shown);
        let handle = if info.flags & CURSOR_SHOWING == 0 {
            0
        } else {
            info.hCursor as usize
        };
        if again || handle != self.shape {
            self.shape = handle;
            self.sent = Some((x, y));
            let picture = (handle != 0).then(|| shape_of(info.hCursor)).flatten();
            // A hidden pointer is an empty picture.
            let (hot_x, hot_y, width, height, pixels) =
                picture.unwrap_or((0, 0, 1, 1, vec![0, 0, 0, 0]));
            let shape = Shape {
                hot_x,
                hot_y,
                width,
                height,
                pixels: &pixels,
            };
            return Ok(Some(cursor::encode(&Cursor {
                x,
                y,
                shape: Some(shape),
            })));
        }
        if self.sent == Some((x, y)) {
            return Ok(None);
        }
        self.sent = Some((x, y));
        Ok(Some(cursor::encode(&Cursor { x, y, shape: None })))
    }
}
