//! Sharing the customer's screen: capture it, send what changed, and inject the technician's
//! pointer and keys while they have control. The capture, pointer and input traits keep the
//! platform code apart, one folder per platform: X11 (Linux and other Unix desktops) and
//! Windows (GDI and `SendInput`); macOS has none yet.
mod crop;
mod dragged;
mod encoder;
mod grabber;
mod host;
mod idle;
mod in_flight;
mod keysym;
mod scale;
mod scroll;
#[cfg(windows)]
mod windows;
#[cfg(unix)]
mod x11;
#[cfg(unix)]
mod x11_pointer;

pub use crop::Rect;
pub use encoder::Encoder;
pub use host::{ScreenHost, start};
pub use keysym::{WindowsKey, is_shortcut_modifier, windows_key};
pub use scale::Scaler;
use tandem_core::screen::monitors::Monitor;
#[cfg(windows)]
pub use windows::{GdiCapture, WindowsInput, WindowsPointer};
#[cfg(unix)]
pub use x11::{X11Capture, X11Input};
#[cfg(unix)]
pub use x11_pointer::X11Pointer;

/// A rectangle of the screen, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width.
    pub width: u16,
    /// Height.
    pub height: u16,
}

impl Area {
    /// Whether the area and the rectangle `(x, y, width, height)` share a pixel.
    #[must_use]
    pub fn meets(&self, (x, y, w, h): (usize, usize, usize, usize)) -> bool {
        let (ax, ay) = (usize::from(self.x), usize::from(self.y));
        let (aw, ah) = (usize::from(self.width), usize::from(self.height));
        x < ax + aw && ax < x + w && y < ay + ah && ay < y + h
    }
}

/// A window the display says was moved since the previous grab: the rectangle of its size at
/// `from` is now at `to` (positions may be off the screen's edges).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// Its top left corner at the previous grab.
    pub from: (i32, i32),
    /// Its top left corner now.
    pub to: (i32, i32),
    /// Its width and height.
    pub size: (u16, u16),
}

/// A grabbed screen: `width * height` pixels of 4 bytes, B G R and one unused byte.
#[derive(Debug)]
pub struct Grab<'a> {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The pixels, rows top to bottom, no padding.
    pub pixels: &'a [u8],
    /// Where anything was drawn since the previous grab, when the display says; outside these
    /// areas the pixels are the previous grab's. `None`: anywhere.
    pub damaged: Option<&'a [Area]>,
    /// Windows moved since the previous grab, when the display says.
    pub shifts: &'a [Shift],
}

impl<'a> Grab<'a> {
    /// A grab in which anything may have changed.
    #[must_use]
    pub fn whole(width: u16, height: u16, pixels: &'a [u8]) -> Self {
        Self {
            width,
            height,
            pixels,
            damaged: None,
            shifts: &[],
        }
    }
}

/// Why the screen cannot be captured or controlled.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// No display to connect to (a server without a desktop, or `DISPLAY` unset).
    #[error("no display: {0}")]
    NoDisplay(String),
    /// The display answered with an error.
    #[error("the display failed: {0}")]
    Display(String),
    /// A pixel format this client does not capture.
    #[error("unsupported screen format: {0}")]
    Unsupported(String),
}

/// Grabs the whole screen.
pub trait Capture: Send {
    /// Whether anything may have been drawn since the last grab. A capture that cannot tell
    /// says yes.
    ///
    /// # Errors
    /// When the display fails.
    fn changed(&mut self) -> Result<bool, ScreenError> {
        Ok(true)
    }

    /// Whether [`Capture::changed`] really says so (the display reports damage), or only says
    /// yes; then an idle screen is grabbed less often.
    fn reports_changes(&self) -> bool {
        false
    }

    /// The current picture.
    ///
    /// # Errors
    /// When the display fails.
    fn grab(&mut self) -> Result<Grab<'_>, ScreenError>;

    /// The monitors, placed on the picture `grab` returns.
    ///
    /// # Errors
    /// When the display cannot list them.
    fn monitors(&self) -> Result<Vec<Monitor>, ScreenError>;
}

/// Follows the customer's pointer.
pub trait Pointer: Send {
    /// The cursor message to send, if the pointer moved or changed shape since the last one;
    /// `again`: send its shape even so (a viewer is starting from a key frame). Within `shown`
    /// (the monitor sent), places are the monitor's own; see [`place_within`].
    ///
    /// # Errors
    /// When the display fails.
    fn update(&mut self, again: bool, shown: Option<Rect>) -> Result<Option<Vec<u8>>, ScreenError>;
}

/// Where a pointer at (x, y) on the picture is drawn when `shown` is sent: its place on that
/// monitor, or beyond the picture's edge (where no viewer draws it) when it is on another.
#[must_use]
pub fn place_within(x: i32, y: i32, shown: Option<Rect>) -> (u16, u16) {
    let (x, y) = (
        u16::try_from(x.max(0)).unwrap_or(u16::MAX),
        u16::try_from(y.max(0)).unwrap_or(u16::MAX),
    );
    match shown {
        Some((left, top, w, h))
            if (left..left.saturating_add(w)).contains(&x)
                && (top..top.saturating_add(h)).contains(&y) =>
        {
            (x - left, y - top)
        }
        Some(_) => (u16::MAX, u16::MAX),
        None => (x, y),
    }
}

/// This computer's screen: what captures it, follows its pointer and drives its input.
pub struct Desktop {
    /// The picture.
    pub capture: Box<dyn Capture>,
    /// The pointer; `None` where the system cannot say where it is.
    pub pointer: Option<Box<dyn Pointer>>,
    /// Pointer and keys.
    pub input: Box<dyn Input>,
}

impl std::fmt::Debug for Desktop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desktop")
            .field("pointer", &self.pointer.is_some())
            .finish_non_exhaustive()
    }
}

impl Desktop {
    /// Open the screen of the desktop this client runs on.
    ///
    /// # Errors
    /// When there is no desktop to share.
    pub fn open() -> Result<Self, ScreenError> {
        #[cfg(unix)]
        {
            x11::open()
        }
        #[cfg(windows)]
        {
            windows::open()
        }
        #[cfg(not(any(unix, windows)))]
        {
            Err(ScreenError::NoDisplay(
                "this client shares no screen on this system".into(),
            ))
        }
    }
}

/// Drives the pointer and keyboard.
pub trait Input: Send {
    /// Move the pointer to (x, y) and set the buttons held (bit 0 left, 1 middle, 2 right).
    ///
    /// # Errors
    /// When the display fails.
    fn pointer(&mut self, x: u16, y: u16, buttons: u8) -> Result<(), ScreenError>;
    /// Press or release the key with this X11 keysym.
    ///
    /// # Errors
    /// When the display fails.
    fn key(&mut self, keysym: u32, down: bool) -> Result<(), ScreenError>;
}

#[cfg(test)]
mod tests {
    use super::place_within;

    #[test]
    fn a_pointer_is_placed_on_the_monitor_shown_or_beyond_its_edge() {
        assert_eq!(place_within(30, 40, None), (30, 40));
        assert_eq!(place_within(-5, 40, None), (0, 40), "off the top left edge");
        assert_eq!(
            place_within(1930, 40, Some((1920, 0, 1280, 1024))),
            (10, 40)
        );
        assert_eq!(
            place_within(30, 40, Some((1920, 0, 1280, 1024))),
            (u16::MAX, u16::MAX),
            "on another monitor"
        );
    }
}
