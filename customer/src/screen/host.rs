//! The screen stream from the customer's side: capture, encode and send a frame only while the
//! viewers have acknowledged all but a window of those sent ([`InFlight`]), so a slow link lowers
//! the frame rate instead of building a queue; and apply the technician's input while they have
//! control.
use super::grabber::{Grabber, Request, Tick};
use super::idle::Idle;
use super::in_flight::InFlight;
use super::{Desktop, ScreenError};
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

/// Run a tick off the async threads; the grabber comes back with what it made.
async fn next_tick(
    mut grabber: Grabber,
    request: Request,
) -> Option<(Grabber, Result<Tick, ScreenError>)> {
    tokio::task::spawn_blocking(move || {
        let tick = grabber.tick(request);
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
    let Desktop {
        capture,
        pointer,
        mut input,
    } = Desktop::open().map_err(unavailable)?;
    let socket =
        tandem_core::client::open_stream(api, &format!("api/v1/sessions/{}/screen", session.0))
            .await?;
    let (mut to_appliance, mut from_appliance) = socket.split();
    let task = tokio::spawn(async move {
        let mut grabber = Some(Grabber::new(capture, pointer));
        let slows = grabber.as_ref().is_some_and(Grabber::slows_when_idle);
        let mut idle = Idle::default();
        // What the viewers asked for since the last tick.
        let mut request = Request {
            key: true,
            ..Request::default()
        };
        // Where the picture sent starts on the desktop.
        let mut origin = (0u16, 0u16);
        let mut in_flight = InFlight::new(Instant::now());
        let mut tick = tokio::time::interval(FRAME_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last_grab = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if !in_flight.may_send(Instant::now()) { continue }
                    let asked = request.key || request.view.is_some() || request.monitor.is_some();
                    if slows && !asked && !idle.grabs() { continue }
                    last_grab = tokio::time::Instant::now();
                    let Some(g) = grabber.take() else { break };
                    let Some((g, made)) = next_tick(g, std::mem::take(&mut request)).await else { break };
                    grabber = Some(g);
                    let tick = match made {
                        Ok(tick) => tick,
                        Err(e) => { tracing::warn!(error = %e, "screen capture failed"); break }
                    };
                    origin = tick.origin;
                    idle.grabbed(tick.frame.is_some());
                    let mut gone = false;
                    for bytes in tick.monitors.into_iter().chain(tick.pointer) {
                        gone = to_appliance.send(Message::Binary(bytes.into())).await.is_err();
                        if gone { break }
                    }
                    if gone { break }
                    if let Some(bytes) = tick.frame {
                        if let Some(number) = tandem_core::screen::number_of(&bytes) { in_flight.sent(number, bytes.len(), Instant::now()) }
                        if to_appliance.send(Message::Binary(bytes.into())).await.is_err() { break }
                    }
                }
                message = from_appliance.next() => match message {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ViewerMessage>(text.as_str()) {
                        Ok(ViewerMessage::Refresh) => { request.key = true; in_flight.reset(Instant::now()) }
                        Ok(ViewerMessage::Ack { number }) => {
                            let was_closed = !in_flight.open();
                            in_flight.acked(number, Instant::now());
                            // The window reopened: the next grab comes as soon as the frame rate
                            // allows, not at the next tick (up to 33 ms more on a slow link).
                            if was_closed && in_flight.open() { tick.reset_at(last_grab + FRAME_INTERVAL) }
                        }
                        // A new size is a new picture, even of an idle screen.
                        Ok(ViewerMessage::View { width, height }) => request.view = Some((width, height)),
                        // Which monitor to see: a choice of view, not input (any viewer).
                        Ok(ViewerMessage::Monitor { index }) => request.monitor = Some(index),
                        Ok(m) if *state.borrow() != ScreenState::Control => {
                            tracing::debug!(?m, "input ignored: the technician does not have control");
                        }
                        Ok(ViewerMessage::Pointer { x, y, buttons }) => {
                            idle.wake();
                            let (x, y) = (x.saturating_add(origin.0), y.saturating_add(origin.1));
                            if let Err(e) = input.pointer(x, y, buttons) { tracing::warn!(error = %e, "pointer input failed") }
                        }
                        Ok(ViewerMessage::Key { keysym, down }) => {
                            idle.wake();
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
