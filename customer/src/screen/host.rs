//! The screen stream from the customer's side: capture, encode and send a frame only while the
//! viewers have acknowledged all but a window of those sent ([`InFlight`]), so a slow link lowers
//! the frame rate instead of building a queue; and apply the technician's input while they have
//! control.
use super::in_flight::InFlight;
use super::{Capture, Encoder, Input, Scaler, ScreenError, X11Capture, X11Input, X11Pointer};
use futures_util::{SinkExt, StreamExt};
use std::time::{Duration, Instant};
use tandem_core::client::{Api, ClientError};
use tandem_core::domain::{ScreenState, SessionId};
use tandem_core::screen::ViewerMessage;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

/// At most this many frames a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// The shared screen, stopped when dropped.
#[derive(Debug)]
pub struct ScreenHost {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScreenHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What turns the screen into frames, moved to a blocking thread and back for each frame.
struct Grabber {
    capture: X11Capture,
    /// The customer's pointer; `None` where the display cannot say.
    pointer: Option<X11Pointer>,
    scaler: Scaler,
    encoder: Encoder,
    /// The size the viewers show the screen at; the whole screen until they say.
    view: (u16, u16),
}

/// What one tick sends: the pointer's move or new shape, and a frame, each when there is one.
#[derive(Default)]
struct Tick {
    pointer: Option<Vec<u8>>,
    frame: Option<Vec<u8>>,
}

impl Grabber {
    /// The pointer, then the next frame. A pointer that cannot be read any more is left out,
    /// not the screen.
    fn tick(&mut self, key: bool, fresh: bool) -> Result<Tick, ScreenError> {
        let pointer = match self.pointer.as_mut().map(|p| p.update(key)) {
            Some(Ok(message)) => message,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "the pointer cannot be followed");
                self.pointer = None;
                None
            }
            None => None,
        };
        Ok(Tick {
            pointer,
            frame: self.frame(key, fresh)?,
        })
    }

    /// The next frame, scaled to fit the viewers' size when that is smaller than the screen.
    /// `fresh`: grab even an idle screen (a key frame is due, or the viewers' size changed and a
    /// picture of another size is sent whole).
    fn frame(&mut self, key: bool, fresh: bool) -> Result<Option<Vec<u8>>, ScreenError> {
        // An idle screen is neither grabbed nor compared.
        if !self.capture.changed()? && !key && !fresh {
            return Ok(None);
        }
        let grab = self.capture.grab()?;
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

/// Grab and encode off the async threads; the grabber comes back with the frame.
async fn next_frame(
    mut grabber: Grabber,
    key: bool,
    view: Option<(u16, u16)>,
) -> Option<(Grabber, Result<Tick, ScreenError>)> {
    tokio::task::spawn_blocking(move || {
        if let Some(view) = view {
            grabber.view = view;
        }
        let tick = grabber.tick(key, view.is_some());
        (grabber, tick)
    })
    .await
    .ok()
}

/// Share the screen with the session's viewers. `state` follows the session's screen state;
/// input is applied only while it is `Control` (A1), whatever a viewer sends.
///
/// # Errors
/// When there is no display to share, or the appliance cannot be reached.
pub async fn start(
    api: &Api,
    session: SessionId,
    state: watch::Receiver<ScreenState>,
) -> Result<ScreenHost, ClientError> {
    let unavailable =
        |e: ScreenError| ClientError::Protocol(format!("the screen cannot be shared: {e}"));
    let capture = X11Capture::connect().map_err(unavailable)?;
    let pointer = X11Pointer::connect_to(None)
        .inspect_err(|e| tracing::info!(error = %e, "the pointer is not followed"))
        .ok();
    let mut input = X11Input::connect().map_err(unavailable)?;
    let socket =
        tandem_core::client::open_stream(api, &format!("api/v1/sessions/{}/screen", session.0))
            .await?;
    let (mut to_appliance, mut from_appliance) = socket.split();
    let task = tokio::spawn(async move {
        let mut grabber = Some(Grabber {
            capture,
            pointer,
            scaler: Scaler::default(),
            encoder: Encoder::default(),
            view: (u16::MAX, u16::MAX),
        });
        // A size the viewers asked for since the last frame.
        let mut new_view = None;
        let mut want_key = true;
        let mut in_flight = InFlight::new(Instant::now());
        let mut tick = tokio::time::interval(FRAME_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last_grab = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if !in_flight.may_send(Instant::now()) { continue }
                    last_grab = tokio::time::Instant::now();
                    let Some(g) = grabber.take() else { break };
                    let Some((g, frame)) = next_frame(g, std::mem::take(&mut want_key), new_view.take()).await else { break };
                    grabber = Some(g);
                    let tick = match frame {
                        Ok(tick) => tick,
                        Err(e) => { tracing::warn!(error = %e, "screen capture failed"); break }
                    };
                    if let Some(bytes) = tick.pointer
                        && to_appliance.send(Message::Binary(bytes.into())).await.is_err() { break }
                    if let Some(bytes) = tick.frame {
                        if let Some(number) = tandem_core::screen::number_of(&bytes) { in_flight.sent(number, bytes.len(), Instant::now()) }
                        if to_appliance.send(Message::Binary(bytes.into())).await.is_err() { break }
                    }
                }
                message = from_appliance.next() => match message {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ViewerMessage>(text.as_str()) {
                        Ok(ViewerMessage::Refresh) => { want_key = true; in_flight.reset(Instant::now()) }
                        Ok(ViewerMessage::Ack { number }) => {
                            let was_closed = !in_flight.open();
                            in_flight.acked(number, Instant::now());
                            // The window reopened: the next grab comes as soon as the frame rate
                            // allows, not at the next tick (up to 33 ms more on a slow link).
                            if was_closed && in_flight.open() { tick.reset_at(last_grab + FRAME_INTERVAL) }
                        }
                        // A new size is a new picture, even of an idle screen.
                        Ok(ViewerMessage::View { width, height }) => new_view = Some((width, height)),
                        Ok(m) if *state.borrow() != ScreenState::Control => {
                            tracing::debug!(?m, "input ignored: the technician does not have control");
                        }
                        Ok(ViewerMessage::Pointer { x, y, buttons }) => {
                            if let Err(e) = input.pointer(x, y, buttons) { tracing::warn!(error = %e, "pointer input failed") }
                        }
                        Ok(ViewerMessage::Key { keysym, down }) => {
                            if let Err(e) = input.key(keysym, down) { tracing::warn!(error = %e, "key input failed") }
                        }
                        Err(e) => tracing::debug!(error = %e, "unreadable viewer message"),
                    },
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
        let _ = to_appliance.close().await;
    });
    Ok(ScreenHost { task })
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
