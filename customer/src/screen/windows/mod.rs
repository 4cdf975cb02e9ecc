//! Windows: capture through GDI (`BitBlt` of the virtual screen into a DIB), every grab compared
//! with the last by the encoder; the pointer through `GetCursorInfo`; input through `SendInput`.
//! GDI works on every Windows and under Wine; DXGI desktop duplication, which would say where
//! the screen changed, is not used yet (Wine has none, so nothing here could test it).
// Win32 is a C interface: each call is in a block that says why it is sound.
#![allow(unsafe_code)]
mod capture;
mod input;
mod pointer;

pub use capture::GdiCapture;
pub use input::WindowsInput;
pub use pointer::WindowsPointer;

use super::ScreenError;
use windows_sys::Win32::UI::WindowsAndMessaging::{
    GetSystemMetrics, SM_CXVIRTUALSCREEN, SM_CYVIRTUALSCREEN, SM_XVIRTUALSCREEN, SM_YVIRTUALSCREEN,
};

/// What `GetDIBits` is asked for: `width` x `height` pixels of 32 bits, B G R X, rows top to
/// bottom (a negative height).
fn top_down_32(width: i32, height: i32) -> windows_sys::Win32::Graphics::Gdi::BITMAPINFO {
    use windows_sys::Win32::Graphics::Gdi::{BI_RGB, BITMAPINFO, BITMAPINFOHEADER};
    BITMAPINFO {
        bmiHeader: BITMAPINFOHEADER {
            biSize: u32::try_from(std::mem::size_of::<BITMAPINFOHEADER>()).unwrap_or(40),
            biWidth: width,
            biHeight: -height,
            biPlanes: 1,
            biBitCount: 32,
            biCompression: BI_RGB,
            ..BITMAPINFOHEADER::default()
        },
        ..BITMAPINFO::default()
    }
}

/// The virtual screen (every monitor): left, top, width, height, in physical pixels.
fn virtual_screen() -> Result<(i32, i32, u16, u16), ScreenError> {
    // SAFETY: GetSystemMetrics reads a system value; it has no pointers.
    let (x, y, w, h) = unsafe {
        (
            GetSystemMetrics(SM_XVIRTUALSCREEN),
            GetSystemMetrics(SM_YVIRTUALSCREEN),
            GetSystemMetrics(SM_CXVIRTUALSCREEN),
            GetSystemMetrics(SM_CYVIRTUALSCREEN),
        )
    };
    let side = |v: i32| u16::try_from(v).ok().filter(|v| *v > 0);
    match (side(w), side(h)) {
        (Some(w), Some(h)) => Ok((x, y, w, h)),
        _ => Err(ScreenError::NoDisplay(format!(
            "the desktop measures {w}x{h} (a service session has none)"
        ))),
    }
}

/// This session's desktop. Pixels are physical: the process is made DPI-aware first, or a
/// scaled display would be captured and clicked at its logical size.
pub(super) fn open() -> Result<super::Desktop, ScreenError> {
    // SAFETY: no arguments; it only changes how this process is told sizes.
    unsafe { windows_sys::Win32::UI::WindowsAndMessaging::SetProcessDPIAware() };
    let capture = GdiCapture::new()?;
    Ok(super::Desktop {
        capture: Box::new(capture),
        pointer: Some(Box::new(WindowsPointer::default())),
        input: Box::new(WindowsInput::default()),
    })
}
