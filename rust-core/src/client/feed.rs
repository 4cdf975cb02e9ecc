//! The connection to the appliance's event feed: reconnects with jittered back-off, finds dead
//! sockets with application-level pings, looks the host up afresh on every attempt, and resumes
//! after the last event applied.
use super::api::Api;
use super::mirror::{Applied, Connection, Mirror};
use crate::protocol::{ClientMessage, ServerMessage};
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The feed socket's read buffer. tungstenite zeroes the whole buffer before every read, and its
/// default is 128 KiB: on a phone receiving one small event at a time that zeroing cost more
/// than the event itself (measured in the appliance benchmark's fan-out, where it was 38% of the
/// consoles' CPU). A snapshot larger than this is read in several reads.
pub const READ_BUFFER: usize = 4 * 1024;

/// How the feed keeps its connection.
#[derive(Debug, Clone, Copy)]
pub struct FeedOptions {
    /// How often to ping.
    pub ping_every: Duration,
    /// Silence after which the socket is taken for dead.
    pub dead_after: Duration,
    /// The first pause after a failure.
    pub backoff_min: Duration,
    /// The longest pause.
    pub backoff_max: Duration,
}

impl Default for FeedOptions {
    fn default() -> Self {
        Self {
            ping_every: Duration::from_secs(15),
            dead_after: Duration::from_secs(40),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// The pause before attempt `attempt` (from 1): doubling from the minimum up to the maximum,
/// then jittered between half and all of it so many phones do not come back at once.
#[must_use]
pub fn backoff(options: &FeedOptions, attempt: u32) -> Duration {
    let base = options
        .backoff_min
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(options.backoff_max);
    let jitter = rand::thread_rng().gen_range(0.5..=1.0);
    base.mul_f64(jitter)
}

fn publish(mirror: &watch::Sender<Arc<Mirror>>, change: impl FnOnce(&mut Mirror)) {
    mirror.send_modify(|m| change(Arc::make_mut(m)));
}

enum Ended {
    Stop,
    Lost(String),
}

/// Keep the mirror current until `stop` is notified or every receiver is gone.
pub(crate) async fn run(
    api: Api,
    mirror: Arc<watch::Sender<Arc<Mirror>>>,
    options: FeedOptions,
    stop: Arc<Notify>,
) {
    let mut attempt: u32 = 0;
    loop {
        publish(&mirror, |m| {
            m.connection = Connection::Connecting { attempt }
        });
        let outcome = tokio::select! {
            () = stop.notified() => Ended::Stop,
            ended = session(&api, &mirror, &options, &mut attempt) => ended,
        };
        let reason = match outcome {
            Ended::Stop => return,
            Ended::Lost(reason) => reason,
        };
        if mirror.is_closed() {
            return;
        }
        attempt = attempt.saturating_add(1);
        let pause = backoff(&options, attempt);
        tracing::info!(%reason, pause_ms = pause.as_millis(), "event feed lost; reconnecting");
        let retry_in_ms = u64::try_from(pause.as_millis()).unwrap_or(u64::MAX);
        publish(&mirror, |m| {
            m.connection = Connection::Offline {
                reason,
                retry_in_ms,
            }
        });
        tokio::select! {
            () = stop.notified() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// One connection, from connecting to losing it.
async fn session(
    api: &Api,
    mirror: &watch::Sender<Arc<Mirror>>,
    options: &FeedOptions,
    attempt: &mut u32,
) -> Ended {
    let Some(token) = api.token() else {
        return Ended::Lost("not signed in".into());
    };
    let since = mirror.borrow().seq;
    let url = match api.endpoint().events_url(token, Some(since)) {
        Ok(url) => url,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    let connector = tokio_tungstenite::Connector::Rustls(api.tls());
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let request = match api.socket_request(url.as_str()) {
        Ok(request) => request,
        Err(e) => return Ended::Lost(e.to_string()),
    };
    let connect = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(config),
        false,
        Some(connector),
    );
    let mut socket = match tokio::time::timeout(options.dead_after, connect).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return Ended::Lost(e.to_string()),
        Err(_) => return Ended::Lost("no answer while connecting".into()),
    };
    *attempt = 0;
    publish(mirror, |m| m.connection = Connection::Online);
    let mut ping = tokio::time::interval(options.ping_every);
    let mut nonce: u64 = 0;
    loop {
        tokio::select! {
            received = tokio::time::timeout(options.dead_after, socket.next()) => {
                let text = match received {
                    Err(_) => return Ended::Lost("the appliance stopped answering".into()),
                    Ok(None) => return Ended::Lost("the appliance closed the connection".into()),
                    Ok(Some(Err(e))) => return Ended::Lost(e.to_string()),
                    Ok(Some(Ok(Message::Text(text)))) => text,
                    Ok(Some(Ok(Message::Close(_)))) => return Ended::Lost("the appliance closed the connection".into()),
                    Ok(Some(Ok(_))) => continue,
                };
                match serde_json::from_str::<ServerMessage>(text.as_str()) {
                    Ok(ServerMessage::Snapshot(snapshot)) => {
                        if let Some(fresh) = Mirror::from_snapshot(snapshot, Connection::Online) {
                            mirror.send_modify(|m| *m = Arc::new(m.refreshed(fresh)));
                        }
                    }
                    Ok(ServerMessage::Event(published)) => {
                        let mut needs_snapshot = false;
                        mirror.send_modify(|m| needs_snapshot = Arc::make_mut(m).apply(&published) == Applied::NeedsSnapshot);
                        if needs_snapshot {
                            match api.snapshot().await.map(|s| Mirror::from_snapshot(s, Connection::Online)) {
                                Ok(Some(fresh)) => mirror.send_modify(|m| *m = Arc::new(m.refreshed(fresh))),
                                Ok(None) => return Ended::Lost("the appliance sent another kind of view".into()),
                                Err(e) => return Ended::Lost(e.to_string()),
                            }
                        }
                    }
                    Ok(ServerMessage::Pong { .. } | ServerMessage::Direct { .. }) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable message from the appliance"),
                }
            }
            _ = ping.tick() => {
                nonce = nonce.wrapping_add(1);
                let Ok(ping) = serde_json::to_string(&ClientMessage::Ping { nonce }) else { continue };
                if let Err(e) = socket.send(Message::Text(ping.into())).await {
                    return Ended::Lost(e.to_string());
                }
            }
        }
    }
}
