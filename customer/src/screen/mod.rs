//! Sharing the customer's screen: capture it, send what changed, and inject the technician's
//! pointer and keys while they have control. The capture and input traits keep the platform
//! code (X11 here) apart, so Windows and macOS can follow.
mod crop;
mod dragged;
mod encoder;
mod grabber;
mod host;
mod in_flight;
mod scale;
mod scroll;
mod x11;
mod x11_pointer;

pub use encoder::Encoder;
pub use host::{ScreenHost, start};
pub use scale::Scaler;
pub use x11::{X11Capture, X11Input};
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

    /// The current picture.
    ///
    /// # Errors
    /// When the display fails.
    fn grab(&mut self) -> Result<Grab<'_>, ScreenError>;
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
