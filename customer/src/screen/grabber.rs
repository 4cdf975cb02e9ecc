//! What turns the screen into messages for one tick: the pointer, the monitor list when it is
//! due, and the next frame of the monitor shown (or the whole desktop), scaled when that is worth
//! it. Runs on a blocking thread; the host's loop moves it there and back for each tick.
use super::crop::{Crop, Rect};
use super::{Capture, Encoder, Pointer, Scaler, ScreenError};
use tandem_core::screen::monitors::{self, Monitors};

/// What the host's loop asks of a tick.
#[derive(Debug, Default, Clone, Copy)]
pub struct Request {
    /// A key frame is due (a viewer starts from one), and the monitor list again.
    pub key: bool,
    /// The viewers' size changed to this.
    pub view: Option<(u16, u16)>,
    /// A viewer picked this monitor (`Some(None)`: the whole desktop).
    pub monitor: Option<Option<u8>>,
}

/// What one tick sends, each when there is one, in this order.
#[derive(Debug, Default)]
pub struct Tick {
    /// The monitors, and which is shown.
    pub monitors: Option<Vec<u8>>,
    /// The pointer's move or new shape.
    pub pointer: Option<Vec<u8>>,
    /// The next frame.
    pub frame: Option<Vec<u8>>,
    /// Where the picture's top left is on the desktop: the viewers' pointer positions are
    /// moved by it.
    pub origin: (u16, u16),
}

/// The capture and everything kept from one frame to the next.
pub struct Grabber {
    capture: Box<dyn Capture>,
    /// The customer's pointer; `None` where the display cannot say.
    pointer: Option<Box<dyn Pointer>>,
    scaler: Scaler,
    encoder: Encoder,
    crop: Crop,
    /// The size the viewers show the screen at; the whole screen until they say.
    view: (u16, u16),
    monitors: Monitors,
    /// Whether the monitor list was sent yet.
    listed: bool,
}

impl Grabber {
    /// A grabber of this display.
    pub fn new(capture: Box<dyn Capture>, pointer: Option<Box<dyn Pointer>>) -> Self {
        Self {
            capture,
            pointer,
            scaler: Scaler::default(),
            encoder: Encoder::default(),
            crop: Crop::default(),
            view: (u16::MAX, u16::MAX),
            monitors: Monitors::default(),
            listed: false,
        }
    }

    /// Whether an idle screen should be grabbed less often: the capture cannot tell changes.
    pub fn slows_when_idle(&self) -> bool {
        !self.capture.reports_changes()
    }

    /// The part of the desktop sent: the monitor picked, or all of it.
    fn shown(&self) -> Option<Rect> {
        let m = self
            .monitors
            .monitors
            .get(usize::from(self.monitors.shown?))?;
        let side = |v: i32| u16::try_from(v.max(0)).unwrap_or(u16::MAX);
        Some((side(m.x), side(m.y), m.width, m.height))
    }

    /// One tick's messages. A pointer that cannot be read any more is left out, not the screen.
    ///
    /// # Errors
    /// When the display fails.
    pub fn tick(&mut self, request: Request) -> Result<Tick, ScreenError> {
        let mut fresh = request.view.is_some();
        if let Some(view) = request.view {
            self.view = view;
        }
        let mut tick = Tick::default();
        if request.key || request.monitor.is_some() || !self.listed {
            let before = self.shown();
            self.monitors.monitors = self.capture.monitors().unwrap_or_else(|e| {
                tracing::info!(error = %e, "the monitors cannot be listed");
                Vec::new()
            });
            if let Some(pick) = request.monitor {
                self.monitors.shown = pick;
            }
            if self
                .monitors
                .shown
                .is_some_and(|i| usize::from(i) >= self.monitors.monitors.len())
            {
                self.monitors.shown = None;
            }
            // Another part of the desktop is a new picture, even of an idle screen.
            fresh |= self.shown() != before;
            self.listed = true;
            tick.monitors = Some(monitors::encode(&self.monitors));
        }
        let shown = self.shown();
        tick.origin = shown.map_or((0, 0), |r| (r.0, r.1));
        tick.pointer = match self.pointer.as_mut().map(|p| p.update(request.key, shown)) {
            Some(Ok(message)) => message,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "the pointer cannot be followed");
                self.pointer = None;
                None
            }
            None => None,
        };
        tick.frame = self.frame(request.key, fresh, shown)?;
        Ok(tick)
    }

    /// The next frame of `shown` (or the whole desktop), scaled to fit the viewers' size when
    /// that is worth it. `fresh`: grab even an idle screen (a key frame is due, or the picture
    /// changed size or place and is sent whole).
    fn frame(
        &mut self,
        key: bool,
        fresh: bool,
        shown: Option<Rect>,
    ) -> Result<Option<Vec<u8>>, ScreenError> {
        // An idle screen is neither grabbed nor compared.
        if !self.capture.changed()? && !key && !fresh {
            return Ok(None);
        }
        let desktop = self.capture.grab()?;
        let grab = match shown {
            Some(rect) => self.crop.apply(&desktop, rect),
            None => desktop,
        };
        let screen = (grab.width, grab.height);
        let size = worth_scaling(screen, tandem_core::screen::fitted(screen, self.view));
        if size == screen {
            return Ok(self.encoder.encode(&grab, key, None));
        }
        let scaled = self.scaler.scale(&grab, size)?;
        Ok(self.encoder.encode(&scaled, key, Some(screen)))
    }
}

/// The size to send at: `fitted`, when it at least halves each side of the screen; otherwise
/// the screen itself. Scaled less, a picture loses more than it saves: rows moved by a scroll no
/// longer land on whole pixels, so every scrolled tile is sent again (screen-bench: a terminal
/// scrolling on 1920x1080, for a 1081-pixel-wide phone view, cost 8,681 bytes per update scaled
/// and 1,356 whole).
fn worth_scaling(screen: (u16, u16), fitted: (u16, u16)) -> (u16, u16) {
    if u32::from(fitted.0) * 2 <= u32::from(screen.0)
        && u32::from(fitted.1) * 2 <= u32::from(screen.1)
    {
        fitted
    } else {
        screen
    }
}

#[cfg(test)]
mod tests {
    use super::worth_scaling;

    #[test]
    fn a_picture_is_scaled_only_when_that_at_least_halves_each_side() {
        // A phone 1081 pixels wide on a 1080p desktop: whole, so scrolls stay moves.
        assert_eq!(worth_scaling((1920, 1080), (1081, 609)), (1920, 1080));
        // The same phone on a 4K desktop: a quarter of the pixels.
        assert_eq!(worth_scaling((3840, 2160), (1081, 609)), (1081, 609));
        assert_eq!(worth_scaling((320, 240), (160, 120)), (160, 120));
    }
}
