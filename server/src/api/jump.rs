//! Jump clients (J1): the customer client of a pinned computer fetches its agent's credential;
//! the agent keeps one outbound connection open and is told, over it, of each unattended
//! session a technician starts through it (with a customer token for that session), and of its
//! unpinning, after which its credential no longer works.
use crate::appliance::{Appliance, now_ms};
use crate::auth::{Bearer, Credential, Principal};
use crate::error::ApiError;
use crate::secret;
use crate::store::TokenKind;
use axum::Json;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use std::sync::Arc;
use tandem_core::domain::{Event, JumpClientId, SessionId, SessionStatus};
use tandem_core::protocol::{AgentMessage, JumpCredentials};

/// The agent's credential lasts until unpinning; this bound only keeps the column finite.
const AGENT_TOKEN_TTL_MS: i64 = 10 * 365 * 24 * 60 * 60 * 1000;
/// A customer token for one unattended session.
const SESSION_TOKEN_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// `POST /api/v1/customer/jump-client`: the customer client of the session a jump client was
/// pinned from gets its agent's credential, once. Nothing a client says about itself (its
/// machine id) decides which jump client that is: only the session it was pinned from.
pub async fn credentials(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
) -> Result<Json<JumpCredentials>, ApiError> {
    let what = super::claim::Claimable {
        kind: TokenKind::JumpClient,
        ttl_ms: AGENT_TOKEN_TTL_MS,
        nothing: "No jump client was pinned from this session",
        claimed: "This jump client's credential was handed out already; unpin and pin again to reinstall it",
    };
    let (jump_client, token) = super::claim::claim_once(
        &appliance,
        who,
        &what,
        |state, session| state.jump_client_pinned_from(session).map(|j| j.id),
        |j| j.0,
    )
    .await?;
    Ok(Json(JumpCredentials { jump_client, token }))
}

/// `GET /api/v1/jump/agent`: the agent's connection. 410 once the jump client is unpinned.
pub async fn agent(
    State(appliance): State<Arc<Appliance>>,
    Bearer(token): Bearer,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    const UNPINNED: ApiError = ApiError::Gone("This jump client has been unpinned (J1)");
    let credential = Credential::of(&appliance, &token)
        .await
        .map_err(|_| UNPINNED)?;
    if credential.kind != TokenKind::JumpClient {
        return Err(UNPINNED);
    }
    let jump_client =
        JumpClientId(u64::try_from(credential.subject).map_err(|_| ApiError::Internal("id"))?);
    if !appliance
        .read()
        .await
        .state
        .jump_clients
        .contains_key(&jump_client)
    {
        return Err(UNPINNED);
    }
    appliance
        .connections
        .admit(&credential, appliance.config.max_sockets_per_source)?;
    let upgrade = upgrade
        .max_message_size(crate::connections::MAX_CONTROL_MESSAGE)
        .max_frame_size(crate::connections::MAX_CONTROL_MESSAGE);
    Ok(upgrade.on_upgrade(move |socket| async move {
        if let Err(e) = serve(appliance, jump_client, &credential, socket).await {
            tracing::info!(error = %e, jump_client = jump_client.0, "jump client agent disconnected");
        }
    }))
}

async fn send(socket: &mut WebSocket, message: &AgentMessage) -> Result<(), axum::Error> {
    let text = serde_json::to_string(message).map_err(axum::Error::new)?;
    socket.send(Message::Text(text.into())).await
}

/// Hand the agent a session: a fresh customer token for it.
async fn offer(
    appliance: &Appliance,
    socket: &mut WebSocket,
    session: SessionId,
) -> Result<(), axum::Error> {
    let token = secret::token();
    let now = now_ms();
    let subject = i64::try_from(session.0).map_err(axum::Error::new)?;
    appliance
        .store
        .issue_token(
            &secret::hash(&token),
            TokenKind::Customer,
            subject,
            now,
            now + SESSION_TOKEN_TTL_MS,
        )
        .await
        .map_err(axum::Error::new)?;
    // Checked after the token is stored: a session that ended (or whose customer was removed)
    // before this read is seen here, and one that ends after it revokes this token with the
    // rest of the session's, so no token outlives its session.
    let still_waiting = appliance
        .read()
        .await
        .state
        .sessions
        .get(&session)
        .is_some_and(|s| s.status == SessionStatus::Active && s.customer.connected);
    if !still_waiting {
        appliance
            .store
            .revoke_token(&secret::hash(&token))
            .await
            .map_err(axum::Error::new)?;
        return Ok(());
    }
    send(socket, &AgentMessage::Session { session, token }).await
}

async fn serve(
    appliance: Arc<Appliance>,
    me: JumpClientId,
    credential: &Credential,
    mut socket: WebSocket,
) -> Result<(), axum::Error> {
    let registration = appliance.connections.register(credential);
    let mut events = appliance.subscribe(crate::feeds::Topic::JumpClient(me));
    if !crate::ws::still_valid(&appliance, credential).await {
        send(&mut socket, &AgentMessage::Unpinned).await?;
        return socket.send(Message::Close(None)).await;
    }
    // Sessions started while the agent was away, which no client has joined yet.
    let waiting: Vec<SessionId> = {
        let inner = appliance.read().await;
        inner
            .state
            .sessions
            .values()
            // A customer removed by the owner (M1) is not brought back by its agent.
            .filter(|s| {
                s.jump_client == Some(me)
                    && s.status == SessionStatus::Active
                    && s.customer.connected
            })
            .map(|s| s.id)
            .filter(|s| i64::try_from(s.0).is_ok_and(|id| !appliance.customer_is_online(id)))
            .collect()
    };
    for session in waiting {
        offer(&appliance, &mut socket, session).await?;
    }
    let mut liveness = crate::connections::Liveness::new(appliance.config.dead_after);
    loop {
        tokio::select! {
            // Unpinned (its credential revoked with the command): the agent uninstalls itself.
            () = registration.revoked() => {
                send(&mut socket, &AgentMessage::Unpinned).await?;
                return socket.send(Message::Close(None)).await;
            }
            event = events.recv() => match event {
                Ok(out) => match &out.published.event {
                    Event::SessionStarted { session, jump_client: Some(j), .. } if *j == me => {
                        offer(&appliance, &mut socket, *session).await?;
                    }
                    _ => {}
                },
                // Too far behind to know what it missed: start again (the agent reconnects
                // and is offered whatever waits for it).
                Err(_) => return socket.send(Message::Close(None)).await,
            },
            dead = liveness.tick() => {
                if dead {
                    // Gone without a word (killed, network lost): it reconnects when it can.
                    return Ok(());
                }
                socket.send(Message::Ping(Vec::new().into())).await?;
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return Ok(()),
                Some(Ok(_)) => liveness.heard(),
            },
        }
    }
}
