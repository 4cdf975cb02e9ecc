//! The shell stream: the appliance forwards a session's command shell between the customer
//! client, which runs it, and the technicians (or external users) the rules let see it. It never
//! interprets the bytes. A viewer is admitted only while the shell is open and their permissions
//! include the command shell (A1, G3, G4), and is cut off as soon as that stops being true.
use crate::appliance::Appliance;
use crate::auth::Principal;
use crate::error::ApiError;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tandem_core::domain::{Actor, Denial, Permission, Reason, Rule, SessionId, State as Domain};
use tokio::sync::{broadcast, mpsc};

/// Output a slow viewer may fall behind by before it skips ahead.
const OUTPUT_BACKLOG: usize = 256;

/// One session's shell: output from the customer client to every viewer, input back.
#[derive(Debug, Clone)]
struct Pipe {
    output: broadcast::Sender<Message>,
    input: mpsc::Sender<Message>,
}

/// A session's pipe, and its input end until the customer client takes it.
type Entry = (Pipe, Option<mpsc::Receiver<Message>>);

/// The shells being relayed, by session.
#[derive(Debug, Default)]
pub struct Relays {
    pipes: Mutex<BTreeMap<SessionId, Entry>>,
}

impl Relays {
    fn pipe(&self, session: SessionId) -> Option<Pipe> {
        let mut pipes = self.pipes.lock().ok()?;
        let (pipe, _) = pipes.entry(session).or_insert_with(|| {
            let (output, _) = broadcast::channel(OUTPUT_BACKLOG);
            let (input, receiver) = mpsc::channel(64);
            (Pipe { output, input }, Some(receiver))
        });
        Some(pipe.clone())
    }

    /// The input side, for the customer client that hosts the shell (the newest one wins).
    fn host(&self, session: SessionId) -> Option<(Pipe, mpsc::Receiver<Message>)> {
        let pipe = self.pipe(session)?;
        let mut pipes = self.pipes.lock().ok()?;
        let entry = pipes.get_mut(&session)?;
        let receiver = entry.1.take().unwrap_or_else(|| {
            // A second host replaces the first: give it a fresh input channel.
            let (input, receiver) = mpsc::channel(64);
            entry.0.input = input;
            receiver
        });
        Some((
            Pipe {
                input: entry.0.input.clone(),
                ..pipe
            },
            receiver,
        ))
    }
}

/// Whether `who` may see and type into the session's shell now.
fn may_view(state: &Domain, who: Principal, session: SessionId) -> Result<(), Denial> {
    let s = state
        .sessions
        .get(&session)
        .ok_or(Denial::new(Rule::G4, Reason::NotInSession))?;
    let seat = state.seat(who.actor(), s)?;
    if !s.shell {
        return Err(Denial::new(Rule::A1, Reason::ShellClosed));
    }
    if !state.permissions_in(s, seat).has(Permission::CommandShell) {
        return Err(Denial::new(
            if matches!(who.actor(), Actor::External(_)) {
                Rule::G4
            } else {
                Rule::G3
            },
            Reason::NotPermitted(Permission::CommandShell),
        ));
    }
    Ok(())
}

/// `GET /api/v1/sessions/{session}/shell`
pub async fn shell(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Path(session): Path<u64>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let session = SessionId(session);
    match who {
        Principal::Customer(mine) if mine == session => {
            let (pipe, input) = appliance
                .relays
                .host(session)
                .ok_or(ApiError::Internal("relay"))?;
            Ok(upgrade.on_upgrade(move |socket| host(socket, pipe, input)))
        }
        Principal::Customer(_) => Err(tandem_core::domain::CommandError::from(Denial::new(
            Rule::G4,
            Reason::NotInSession,
        ))
        .into()),
        _ => {
            may_view(&appliance.read().await.state, who, session)
                .map_err(tandem_core::domain::CommandError::from)?;
            let pipe = appliance
                .relays
                .pipe(session)
                .ok_or(ApiError::Internal("relay"))?;
            Ok(upgrade.on_upgrade(move |socket| view(socket, appliance, who, session, pipe)))
        }
    }
}

/// The customer client's end: its output goes to every viewer; viewers' input comes back.
async fn host(mut socket: WebSocket, pipe: Pipe, mut input: mpsc::Receiver<Message>) {
    loop {
        tokio::select! {
            from_client = socket.recv() => match from_client {
                Some(Ok(m @ (Message::Binary(_) | Message::Text(_)))) => { let _ = pipe.output.send(m); }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            to_client = input.recv() => match to_client {
                Some(m) => if socket.send(m).await.is_err() { return },
                None => return,
            },
        }
    }
}

/// A viewer's end, open only while the rules allow it.
async fn view(
    mut socket: WebSocket,
    appliance: Arc<Appliance>,
    who: Principal,
    session: SessionId,
    pipe: Pipe,
) {
    let mut output = pipe.output.subscribe();
    let mut events = appliance.subscribe();
    loop {
        tokio::select! {
            shown = output.recv() => match shown {
                Ok(m) => if socket.send(m).await.is_err() { return },
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    let notice = format!("{{\"skipped\":{skipped}}}");
                    if socket.send(Message::Text(notice.into())).await.is_err() { return }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            typed = socket.recv() => match typed {
                Some(Ok(m @ (Message::Binary(_) | Message::Text(_)))) => { let _ = pipe.input.send(m).await; }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            event = events.recv() => {
                // Any change to the session may end the right to the shell: check again.
                if event.is_ok_and(|e| e.session == Some(session)) && may_view(&appliance.read().await.state, who, session).is_err() {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}
