//! The screen stream from the customer's side: capture, encode and send a frame only while the
//! viewers have acknowledged all but a window of those sent ([`InFlight`]), so a slow link lowers
//! the frame rate instead of building a queue; and apply the technician's input while they have
//! control.
use super::in_flight::InFlight;
use super::{Capture, Encoder, Input, ScreenError, X11Capture, X11Input};
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

type Grabber = (X11Capture, Encoder);

/// Grab and encode off the async threads; the capturer comes back with the frame.
async fn next_frame(
    grabber: Grabber,
    key: bool,
) -> Option<(Grabber, Result<Option<Vec<u8>>, ScreenError>)> {
    tokio::task::spawn_blocking(move || {
        let (mut capture, mut encoder) = grabber;
        // An idle screen is neither grabbed nor compared (unless a key frame is due).
        let frame = match capture.changed() {
            Ok(false) if !key => Ok(None),
            Ok(_) => capture.grab().map(|grab| encoder.encode(&grab, key)),
            Err(e) => Err(e),
        };
        ((capture, encoder), frame)
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
    let mut input = X11Input::connect().map_err(unavailable)?;
    let socket =
        tandem_core::client::open_stream(api, &format!("api/v1/sessions/{}/screen", session.0))
            .await?;
    let (mut to_appliance, mut from_appliance) = socket.split();
    let task = tokio::spawn(async move {
        let mut grabber = Some((capture, Encoder::default()));
        let mut want_key = true;
        let mut in_flight = InFlight::new(Instant::now());
        let mut tick = tokio::time::interval(FRAME_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if !in_flight.may_send(Instant::now()) { continue }
                    let Some(g) = grabber.take() else { break };
                    let Some((g, frame)) = next_frame(g, std::mem::take(&mut want_key)).await else { break };
                    grabber = Some(g);
                    match frame {
                        Ok(Some(bytes)) => {
                            if let Some(number) = tandem_core::screen::number_of(&bytes) { in_flight.sent(number, Instant::now()) }
                            if to_appliance.send(Message::Binary(bytes.into())).await.is_err() { break }
                        }
                        Ok(None) => {}
                        Err(e) => { tracing::warn!(error = %e, "screen capture failed"); break }
                    }
                }
                message = from_appliance.next() => match message {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ViewerMessage>(text.as_str()) {
                        Ok(ViewerMessage::Refresh) => { want_key = true; in_flight.reset(Instant::now()) }
                        Ok(ViewerMessage::Ack { number }) => in_flight.acked(number, Instant::now()),
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
