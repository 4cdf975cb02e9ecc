//! The screen through GDI: the virtual screen copied into a top-down 32-bit DIB, which is the
//! B G R X layout the encoder takes. GDI cannot say what changed, so every grab is whole and
//! the encoder compares it with the last.
use super::super::{Capture, Grab, ScreenError};
use super::virtual_screen;
use tandem_core::screen::monitors::{MAX_NAME, Monitor};
use windows_sys::Win32::Foundation::{LPARAM, RECT};
use windows_sys::Win32::Graphics::Gdi::{
    BitBlt, CAPTUREBLT, CreateCompatibleBitmap, CreateCompatibleDC, DIB_RGB_COLORS, DeleteDC,
    DeleteObject, EnumDisplayMonitors, GetDC, GetDIBits, GetMonitorInfoW, HDC, HMONITOR,
    MONITORINFO, MONITORINFOEXW, ReleaseDC, SRCCOPY, SelectObject,
};

fn failed(what: &str) -> ScreenError {
    ScreenError::Display(format!(
        "{what} failed: {}",
        std::io::Error::last_os_error()
    ))
}

/// Captures the whole virtual screen.
#[derive(Debug, Default)]
pub struct GdiCapture {
    pixels: Vec<u8>,
}

impl GdiCapture {
    /// A capture of this session's desktop.
    ///
    /// # Errors
    /// When the session has no desktop (a service).
    pub fn new() -> Result<Self, ScreenError> {
        virtual_screen()?;
        Ok(Self::default())
    }

    /// Copy the virtual screen into `pixels`; its size.
    fn copy(&mut self) -> Result<(u16, u16), ScreenError> {
        let (left, top, width, height) = virtual_screen()?;
        let (w, h) = (i32::from(width), i32::from(height));
        self.pixels
            .resize(usize::from(width) * usize::from(height) * 4, 0);
        // SAFETY: every handle is checked before use and released on every path below; the
        // buffer holds exactly `height` rows of `width` 4-byte pixels, what the header asks for.
        unsafe {
            let screen: HDC = GetDC(std::ptr::null_mut());
            if screen.is_null() {
                return Err(failed("GetDC"));
            }
            let memory = CreateCompatibleDC(screen);
            let bitmap = CreateCompatibleBitmap(screen, w, h);
            let result = if memory.is_null() || bitmap.is_null() {
                Err(failed("CreateCompatibleBitmap"))
            } else {
                let previous = SelectObject(memory, bitmap);
                let copied = BitBlt(memory, 0, 0, w, h, screen, left, top, SRCCOPY | CAPTUREBLT);
                SelectObject(memory, previous);
                let mut info = super::top_down_32(w, h);
                let rows = if copied == 0 {
                    0
                } else {
                    GetDIBits(
                        memory,
                        bitmap,
                        0,
                        u32::from(height),
                        self.pixels.as_mut_ptr().cast(),
                        &raw mut info,
                        DIB_RGB_COLORS,
                    )
                };
                if copied == 0 {
                    Err(failed("BitBlt"))
                } else if rows != h {
                    Err(failed("GetDIBits"))
                } else {
                    Ok((width, height))
                }
            };
            if !bitmap.is_null() {
                DeleteObject(bitmap);
            }
            if !memory.is_null() {
                DeleteDC(memory);
            }
            ReleaseDC(std::ptr::null_mut(), screen);
            result
        }
    }
}

impl Capture for GdiCapture {
    fn grab(&mut self) -> Result<Grab<'_>, ScreenError> {
        let (width, height) = self.copy()?;
        Ok(Grab::whole(width, height, &self.pixels))
    }

    fn monitors(&self) -> Result<Vec<Monitor>, ScreenError> {
        let (left, top, _, _) = virtual_screen()?;
        let mut found: Vec<Monitor> = Vec::new();
        unsafe extern "system" fn each(
            monitor: HMONITOR,
            _: HDC,
            _: *mut RECT,
            found: LPARAM,
        ) -> windows_sys::core::BOOL {
            // SAFETY: `found` is the vector passed below, alive for the whole enumeration.
            let found = unsafe { &mut *(found as *mut Vec<(RECT, bool, String)>) };
            let mut info = MONITORINFOEXW::default();
            info.monitorInfo.cbSize =
                u32::try_from(std::mem::size_of::<MONITORINFOEXW>()).unwrap_or(0);
            // SAFETY: `info` is a MONITORINFOEXW with its size set, as the call requires.
            if unsafe { GetMonitorInfoW(monitor, (&raw mut info).cast::<MONITORINFO>()) } != 0 {
                let name = String::from_utf16_lossy(&info.szDevice);
                let name = name
                    .trim_end_matches('\0')
                    .trim_start_matches(r"\\.\")
                    .to_owned();
                let primary = info.monitorInfo.dwFlags & 1 != 0; // MONITORINFOF_PRIMARY
                found.push((info.monitorInfo.rcMonitor, primary, name));
            }
            1
        }
        let mut rects: Vec<(RECT, bool, String)> = Vec::new();
        // SAFETY: the callback only writes into `rects`, which outlives the call.
        let listed = unsafe {
            EnumDisplayMonitors(
                std::ptr::null_mut(),
                std::ptr::null(),
                Some(each),
                (&raw mut rects) as LPARAM,
            )
        };
        if listed == 0 {
            return Err(failed("EnumDisplayMonitors"));
        }
        for (rect, primary, mut name) in rects {
            let mut end = name.len().min(MAX_NAME);
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name.truncate(end);
            let side = |v: i32| u16::try_from(v.max(0)).unwrap_or(u16::MAX);
            found.push(Monitor {
                name,
                x: rect.left - left,
                y: rect.top - top,
                width: side(rect.right - rect.left),
                height: side(rect.bottom - rect.top),
                primary,
            });
        }
        Ok(found)
    }
}
