//! One WebSocket per console (or customer client, or external user) carrying ordered, numbered
//! events. A client that reconnects with the last number it saw receives exactly what it missed;
//! one that is too far behind, or new, receives a fresh snapshot first.
use crate::appliance::Outgoing;
use crate::appliance::{Appliance, Published};
use crate::auth::{Credential, Principal};
use crate::connections::Ended;
use crate::feeds::{Missed, Topic};
use crate::views;
use crate::visibility::visible;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tandem_core::protocol::{ClientMessage, ServerMessage};

/// Where to resume.
#[derive(Debug, Deserialize)]
pub struct Resume {
    /// The number of the last event the client saw.
    pub since: Option<i64>,
}

/// The read buffer of an event feed's socket.
const FEED_READ_BUFFER: usize = 4 * 1024;

/// `GET /api/v1/events?since=N`
pub async fn events(
    State(appliance): State<Arc<Appliance>>,
    credential: Credential,
    Query(resume): Query<Resume>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, crate::error::ApiError> {
    let who = credential.principal()?;
    appliance
        .connections
        .admit(&credential, appliance.config.max_sockets_per_source)?;
    // A feed reads only small control messages (pings): a read buffer of their size, not the
    // library's 128 KiB, which every idle console would otherwise hold (issue 14).
    let upgrade = upgrade
        .max_message_size(crate::connections::MAX_CONTROL_MESSAGE)
        .max_frame_size(crate::connections::MAX_CONTROL_MESSAGE)
        .read_buffer_size(FEED_READ_BUFFER);
    Ok(upgrade.on_upgrade(move |socket| async move {
        if let Err(e) = feed(appliance, who, &credential, resume.since, socket).await {
            tracing::warn!(error = %e, "event socket ended with an error");
        }
    }))
}

/// Whether a credential checked when the request came is still valid now that its socket is
/// registered: a revocation between the two would otherwise leave the socket open.
pub async fn still_valid(appliance: &Appliance, credential: &Credential) -> bool {
    appliance
        .store
        .token(&credential.token_hash, crate::appliance::now_ms())
        .await
        .is_ok_and(|t| t.is_some())
}

/// How long a closing socket waits for the peer's answering close frame.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(2);

/// Close a socket the appliance ends, saying why, and wait (briefly) for the peer's answering
/// close: dropping a socket with unread input resets the connection, and the peer may then
/// never read the close frame that says why.
pub async fn close(socket: &mut WebSocket, why: Ended) {
    let (code, reason) = why.close_frame();
    if socket
        .send(Message::Close(Some(axum::extract::ws::CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await
        .is_err()
    {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> Result<(), axum::Error> {
    let text = serde_json::to_string(message).map_err(axum::Error::new)?;
    socket.send(Message::Text(text.into())).await
}

/// An event as `who` receives it: external users never see a computer's id.
async fn send_event(
    socket: &mut WebSocket,
    who: Principal,
    mut published: Published,
) -> Result<(), axum::Error> {
    if matches!(who, Principal::External(_)) {
        published.event = crate::redact::event_for_external(&published.event);
    }
    send(socket, &ServerMessage::Event(published)).await
}

/// A committed event: the message shared by every feed, except an external user's (redacted).
async fn send_outgoing(
    socket: &mut WebSocket,
    who: Principal,
    outgoing: &Outgoing,
) -> Result<(), axum::Error> {
    if matches!(who, Principal::External(_)) {
        return send_event(socket, who, outgoing.published.clone()).await;
    }
    let text = outgoing.text().map_err(axum::Error::new)?;
    socket.send(Message::Text(text)).await
}

async fn send_snapshot(
    appliance: &Appliance,
    who: Principal,
    socket: &mut WebSocket,
) -> Result<i64, axum::Error> {
    let snapshot = views::snapshot(appliance, who)
        .await
        .map_err(axum::Error::new)?;
    let seq = snapshot.seq;
    send(socket, &ServerMessage::Snapshot(snapshot)).await?;
    Ok(seq)
}

async fn feed(
    appliance: Arc<Appliance>,
    who: Principal,
    credential: &Credential,
    since: Option<i64>,
    mut socket: WebSocket,
) -> Result<(), axum::Error> {
    // Registered first: a sign-out from here on closes this socket.
    let registration = appliance.connections.register(credential);
    if !still_valid(&appliance, credential).await {
        close(&mut socket, Ended::Revoked).await;
        return Ok(());
    }
    let expiry = credential.expiry();
    tokio::pin!(expiry);
    // Subscribe before reading the backlog, so nothing committed in between is missed; what
    // arrives twice is skipped by its number.
    let topic = match who {
        Principal::Technician(t) => Topic::Technician(t),
        Principal::Customer(s) => Topic::Session(s),
        // An external user is in one session (X1); found once, when the feed opens.
        Principal::External(e) => match appliance
            .state()
            .await
            .sessions
            .values()
            .find(|s| s.externals.contains_key(&e))
        {
            Some(s) => Topic::Session(s.id),
            None => {
                close(&mut socket, Ended::Revoked).await;
                return Ok(());
            }
        },
    };
    let mut live = appliance.subscribe(topic);
    let mut direct = appliance.subscribe_direct();
    // A customer client's socket counts as "listening" for direct messages while it is open.
    let _customer = match who {
        Principal::Customer(s) => {
            Some(appliance.customer_online(crate::appliance::id(s.0), since.is_none()))
        }
        _ => None,
    };
    // S3: a technician with a console connected is present.
    let _console = match who {
        Principal::Technician(t) => Some(appliance.console_online(t)),
        _ => None,
    };
    let last = appliance.read().await.last_seq;
    let limit = appliance.config.max_backlog;
    let mut cursor = match since {
        Some(n) if n >= 0 && n <= last && last - n <= limit => {
            let backlog = appliance
                .store
                .events_after(n, limit)
                .await
                .map_err(axum::Error::new)?;
            let state = appliance.state().await;
            let mut cursor = n;
            for stored in backlog {
                cursor = stored.seq;
                if visible(
                    &state,
                    who,
                    &stored.event,
                    stored.session,
                    stored.audience.as_ref(),
                ) {
                    let published = Published {
                        seq: stored.seq,
                        at: stored.at,
                        event: stored.event,
                    };
                    send_event(&mut socket, who, published).await?;
                }
            }
            cursor
        }
        _ => send_snapshot(&appliance, who, &mut socket).await?,
    };
    let mut liveness = crate::connections::Liveness::new(appliance.config.dead_after);
    loop {
        tokio::select! {
            () = registration.revoked() => {
                // What was committed before the right ended (the event that ended it, say,
                // a session's end that tells the customer client to uninstall) still goes out.
                while let Some(o) = live.try_recv() {
                    if o.published.seq > cursor && visible(&appliance.read().await.state, who, &o.published.event, o.session, o.audience.as_ref()) {
                        cursor = o.published.seq;
                        send_outgoing(&mut socket, who, &o).await?;
                    }
                }
                close(&mut socket, Ended::Revoked).await;
                return Ok(());
            }
            () = &mut expiry => {
                close(&mut socket, Ended::Expired).await;
                return Ok(());
            }
            received = live.recv() => match received {
                Ok(o) if o.published.seq > cursor => {
                    cursor = o.published.seq;
                    let shown = visible(&appliance.read().await.state, who, &o.published.event, o.session, o.audience.as_ref());
                    if shown {
                        send_outgoing(&mut socket, who, &o).await?;
                    }
                }
                Ok(_) => {}
                Err(Missed::Lagged) => cursor = send_snapshot(&appliance, who, &mut socket).await?,
                Err(Missed::Closed) => return Ok(()),
            },
            message = direct.recv() => {
                if let (Ok(m), Principal::Customer(s)) = (message, who)
                    && i64::try_from(s.0).ok() == Some(m.session) {
                        send(&mut socket, &ServerMessage::Direct { body: m.body.clone() }).await?;
                    }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    liveness.heard();
                    if let Ok(ClientMessage::Ping { nonce }) = serde_json::from_str(text.as_str()) {
                        send(&mut socket, &ServerMessage::Pong { nonce }).await?;
                    }
                }
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Ok(_)) => liveness.heard(),
                Some(Err(e)) => return Err(e),
            },
            dead = liveness.tick() => {
                if dead {
                    tracing::info!("an event socket's peer went silent; closed");
                    return Ok(());
                }
                socket.send(Message::Ping(Vec::new().into())).await?;
            }
        }
    }
}
