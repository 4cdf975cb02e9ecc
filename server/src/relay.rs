//! Session streams: the appliance forwards a session's command shell and screen between the
//! customer client, which runs them, and the technicians (or external users) the rules let see
//! them. It never reads the shell's bytes or decodes the screen. A viewer is admitted only while
//! the stream is open and their permissions include it (A1, G3, G4), and is cut off as soon as
//! that stops being true. Pointer and keys reach the customer only from a viewer who may control
//! the screen, while the session is shared for control (A1).
//!
//! The customer client sends a frame only once a viewer has acknowledged all but one of those
//! before it (the acknowledgements pass through here unread), so no socket's buffer holds
//! seconds of frames. The screen keeps at most a couple of frames per viewer: a viewer slower
//! than the others skips frames, and the customer client is asked for a key frame so it starts
//! again from a whole picture.
use crate::appliance::Appliance;
use crate::auth::{Credential, Principal};
use crate::connections::Ended;
use crate::error::ApiError;
use crate::ws::{close, still_valid};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tandem_core::domain::{
    Actor, Denial, Permission, Reason, Rule, ScreenState, SessionId, State as Domain,
};
use tandem_core::screen::ViewerMessage;
use tokio::sync::{broadcast, mpsc};

/// Which of a session's streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// The command shell: bytes both ways.
    Shell,
    /// The screen: frames out, pointer and keys in.
    Screen,
}

impl Stream {
    /// Output a slow viewer may fall behind by before it skips ahead: shell output is small
    /// and every byte matters; screen frames are big and only the newest matters. The screen's
    /// frames in flight are bounded by acknowledgements (two, or up to six while together under
    /// 32 KiB); the rest of its backlog is room for the pointer's six-byte messages between them.
    fn backlog(self) -> usize {
        match self {
            Self::Shell => 256,
            Self::Screen => 12,
        }
    }
}

/// One session's shell: output from the customer client to every viewer, input back.
#[derive(Debug, Clone)]
struct Pipe {
    output: broadcast::Sender<Message>,
    input: mpsc::Sender<Message>,
}

/// A session's pipe, and its input end until the customer client takes it.
type Entry = (Pipe, Option<mpsc::Receiver<Message>>);

/// The streams being relayed, by session.
#[derive(Debug, Default)]
pub struct Relays {
    pipes: Mutex<BTreeMap<(SessionId, Stream), Entry>>,
    viewports: crate::viewports::Viewports,
}

impl Relays {
    fn pipe(&self, key: (SessionId, Stream)) -> Option<Pipe> {
        let mut pipes = self.pipes.lock().ok()?;
        let (pipe, _) = pipes.entry(key).or_insert_with(|| {
            let (output, _) = broadcast::channel(key.1.backlog());
            let (input, receiver) = mpsc::channel(64);
            (Pipe { output, input }, Some(receiver))
        });
        Some(pipe.clone())
    }

    /// Where viewers' messages go now: the newest host's input (a host that reconnects, or a
    /// stream started again, gets a fresh channel, so viewers look it up for each message).
    fn input(&self, key: (SessionId, Stream)) -> Option<mpsc::Sender<Message>> {
        let pipes = self.pipes.lock().ok()?;
        pipes.get(&key).map(|(pipe, _)| pipe.input.clone())
    }

    /// Forget an ended session's streams (their sockets close as their rights end).
    pub fn forget(&self, session: SessionId) {
        if let Ok(mut pipes) = self.pipes.lock() {
            pipes.retain(|(s, _), _| *s != session);
        }
    }

    /// The input side, for the customer client that hosts the stream (the newest one wins).
    fn host(&self, key: (SessionId, Stream)) -> Option<(Pipe, mpsc::Receiver<Message>)> {
        let pipe = self.pipe(key)?;
        let mut pipes = self.pipes.lock().ok()?;
        let entry = pipes.get_mut(&key)?;
        let receiver = entry.1.take().unwrap_or_else(|| {
            // A second host replaces the first: give it a fresh input channel.
            let (input, receiver) = mpsc::channel(64);
            entry.0.input = input;
            receiver
        });
        // A host that (re)connects is told the size the viewers show the screen at.
        if let (Stream::Screen, Some((width, height))) = (key.1, self.viewports.current(key.0)) {
            let _ = entry.0.input.try_send(view_message(width, height));
        }
        Some((
            Pipe {
                input: entry.0.input.clone(),
                ..pipe
            },
            receiver,
        ))
    }
}

/// `who` lacks `needed`: their groups' permissions do not include it (G3), or an external
/// user's security policy does not (G4).
fn not_permitted(who: Principal, needed: Permission) -> Denial {
    if matches!(who.actor(), Actor::External(_)) {
        Denial::new(Rule::G4, Reason::PolicyDoesNotAllow(needed))
    } else {
        Denial::new(Rule::G3, Reason::NotPermitted(needed))
    }
}

/// Whether `who` may follow the session's stream now (and, for the shell, type into it).
pub fn may_view(
    state: &Domain,
    who: Principal,
    (session, stream): (SessionId, Stream),
) -> Result<(), Denial> {
    let s = state
        .sessions
        .get(&session)
        .ok_or(Denial::new(Rule::G4, Reason::NotInSession))?;
    let seat = state.seat(who.actor(), s)?;
    let (open, closed, needed) = match stream {
        Stream::Shell => (s.shell, Reason::ShellClosed, Permission::CommandShell),
        Stream::Screen => (
            s.screen != ScreenState::Off,
            Reason::ScreenNotShared,
            Permission::DesktopViewing,
        ),
    };
    if !open {
        return Err(Denial::new(Rule::A1, closed));
    }
    if !state.permissions_in(s, seat).has(needed) {
        return Err(not_permitted(who, needed));
    }
    Ok(())
}

/// What becomes of a viewer's message, read once.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// On to the customer client.
    Forward,
    /// The size this viewer shows the screen at: combined with the other viewers' first.
    Size(u16, u16),
    /// A request for a key frame: forwarded within the viewer's own limit (a key frame costs
    /// every viewer of the session a whole picture).
    Refresh,
    /// Not allowed, or not a message of this stream.
    Drop,
}

/// Where a viewer's message goes. Shell input goes through while the viewer may see the shell.
/// On the screen, a frame's acknowledgement always goes through, a key frame request within the
/// viewer's limit, a size is combined with the other viewers', pointer and keys go only while
/// `control` holds ([`may_control`]), and the choice of monitor (which changes the picture of
/// every viewer) only while `steer` holds ([`may_steer`], issue 26).
fn route(control: bool, steer: bool, key: (SessionId, Stream), message: &Message) -> Route {
    if key.1 == Stream::Shell {
        return Route::Forward;
    }
    let Message::Text(text) = message else {
        return Route::Drop;
    };
    match serde_json::from_str::<ViewerMessage>(text.as_str()) {
        Ok(ViewerMessage::View { width, height }) => Route::Size(width, height),
        Ok(ViewerMessage::Refresh) => Route::Refresh,
        Ok(ViewerMessage::Monitor { .. }) if !steer => Route::Drop,
        Ok(m) if !m.is_input() || control => Route::Forward,
        _ => Route::Drop,
    }
}

/// Whether a viewer may choose what every viewer of the session sees (which monitor): the
/// session's owner, or someone who may control the screen now (A1). A view-only viewer (an
/// external user under a view-only policy, a colleague watching) only watches (ours, issue 26).
pub fn may_steer(state: &Domain, who: Principal, key: (SessionId, Stream)) -> bool {
    let owner = state
        .sessions
        .get(&key.0)
        .and_then(|s| s.owner)
        .is_some_and(|owner| who == Principal::Technician(owner));
    owner || may_control(state, who, key).is_ok()
}

/// Key frame requests one viewer may send: four at once, then two a second. More are dropped
/// (one viewer once raised another's traffic 34 times with them, issue 26); the appliance
/// itself still asks for one whenever a viewer falls behind.
fn refresh_limit() -> governor::DefaultDirectRateLimiter {
    let (per_second, burst) = (
        std::num::NonZeroU32::new(2).unwrap_or(std::num::NonZeroU32::MIN),
        std::num::NonZeroU32::new(4).unwrap_or(std::num::NonZeroU32::MIN),
    );
    governor::RateLimiter::direct(governor::Quota::per_second(per_second).allow_burst(burst))
}

/// Whether a viewer's pointer and keys may reach the screen: the session is shared for control
/// and their permissions include remote control (A1, G3; G4 for external users). Decided when
/// the relay opens and again with each event that may change it, not for each keystroke
/// (issue 14).
pub fn may_control(state: &Domain, who: Principal, key: (SessionId, Stream)) -> Result<(), Denial> {
    let s = state
        .sessions
        .get(&key.0)
        .ok_or(Denial::new(Rule::G4, Reason::NotInSession))?;
    match s.screen {
        ScreenState::Control => {}
        ScreenState::View => return Err(Denial::new(Rule::A1, Reason::ScreenViewOnly)),
        ScreenState::Off => return Err(Denial::new(Rule::A1, Reason::ScreenNotShared)),
    }
    let seat = state.seat(who.actor(), s)?;
    if !state.permissions_in(s, seat).has(Permission::RemoteControl) {
        return Err(not_permitted(who, Permission::RemoteControl));
    }
    Ok(())
}

/// `GET /api/v1/sessions/{session}/shell`
pub async fn shell(
    State(appliance): State<Arc<Appliance>>,
    credential: Credential,
    Path(session): Path<u64>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    open(
        appliance,
        credential,
        (SessionId(session), Stream::Shell),
        upgrade,
    )
    .await
}

/// `GET /api/v1/sessions/{session}/screen`
pub async fn screen(
    State(appliance): State<Arc<Appliance>>,
    credential: Credential,
    Path(session): Path<u64>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    open(
        appliance,
        credential,
        (SessionId(session), Stream::Screen),
        upgrade,
    )
    .await
}

async fn open(
    appliance: Arc<Appliance>,
    credential: Credential,
    key: (SessionId, Stream),
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let (label, token_hash) = (credential.label(), credential.token_hash.clone());
    match admit(Arc::clone(&appliance), credential, key, upgrade).await {
        Ok(response) => Ok(response),
        Err(refusal) => {
            // Audited as a refused command is, within the same per-credential rate limit (a
            // flood of refused opens is answered 429 and not written down each time).
            appliance.limits.command(&token_hash)?;
            let what = format!("Open{:?}Stream", key.1);
            appliance
                .audit_refusal(&label, &what, &refusal.to_string())
                .await;
            Err(refusal)
        }
    }
}

async fn admit(
    appliance: Arc<Appliance>,
    credential: Credential,
    key: (SessionId, Stream),
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let session = key.0;
    let who = credential.principal()?;
    appliance
        .connections
        .admit(&credential, appliance.config.max_sockets_per_source)?;
    match who {
        Principal::Customer(mine) if mine == session => {
            let most = match key.1 {
                Stream::Shell => crate::connections::MAX_SHELL_MESSAGE,
                Stream::Screen => crate::connections::MAX_SCREEN_MESSAGE,
            };
            let upgrade = upgrade.max_message_size(most).max_frame_size(most);
            let (pipe, input) = appliance
                .relays
                .host(key)
                .ok_or(ApiError::Internal("relay"))?;
            Ok(upgrade.on_upgrade(move |socket| async move {
                let registration = appliance.connections.register(&credential);
                if still_valid(&appliance, &credential).await {
                    host(
                        socket,
                        &registration,
                        appliance.config.dead_after,
                        &credential,
                        pipe,
                        input,
                    )
                    .await;
                } else {
                    let mut socket = socket;
                    close(&mut socket, Ended::Revoked).await;
                }
            }))
        }
        Principal::Customer(_) => Err(crate::visibility::no_such_session(session)),
        _ => {
            {
                let inner = appliance.read().await;
                if !crate::visibility::may_see_session(&inner.state, who, session) {
                    return Err(crate::visibility::no_such_session(session));
                }
                may_view(&inner.state, who, key)
                    .map_err(tandem_core::domain::CommandError::from)?;
            }
            let pipe = appliance
                .relays
                .pipe(key)
                .ok_or(ApiError::Internal("relay"))?;
            // A viewer sends keystrokes, pointer moves and key frame requests: small.
            let upgrade = upgrade
                .max_message_size(crate::connections::MAX_CONTROL_MESSAGE)
                .max_frame_size(crate::connections::MAX_CONTROL_MESSAGE);
            Ok(upgrade.on_upgrade(move |socket| view(socket, appliance, credential, key, pipe)))
        }
    }
}

/// The customer client's end: its output goes to every viewer; viewers' input comes back.
async fn host(
    mut socket: WebSocket,
    registration: &crate::connections::Registration<'_>,
    dead_after: std::time::Duration,
    credential: &Credential,
    pipe: Pipe,
    mut input: mpsc::Receiver<Message>,
) {
    let expiry = credential.expiry();
    tokio::pin!(expiry);
    let mut liveness = crate::connections::Liveness::new(dead_after);
    loop {
        tokio::select! {
            () = registration.revoked() => return close(&mut socket, Ended::Revoked).await,
            () = &mut expiry => return close(&mut socket, Ended::Expired).await,
            dead = liveness.tick() => {
                if dead || socket.send(Message::Ping(Vec::new().into())).await.is_err() { return }
            }
            from_client = socket.recv() => match from_client {
                Some(Ok(m @ (Message::Binary(_) | Message::Text(_)))) => { liveness.heard(); let _ = pipe.output.send(m); }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => liveness.heard(),
            },
            to_client = input.recv() => match to_client {
                Some(m) => if socket.send(m).await.is_err() { return },
                None => return,
            },
        }
    }
}

/// A screen viewer's place among the session's viewports; leaving it tells the customer client
/// the size serving those who stay.
struct Viewport {
    appliance: Arc<Appliance>,
    session: SessionId,
    viewer: u64,
}

impl Viewport {
    fn join(appliance: &Arc<Appliance>, session: SessionId) -> Self {
        let (viewer, told) = appliance.relays.viewports.join(session);
        let this = Self {
            appliance: Arc::clone(appliance),
            session,
            viewer,
        };
        this.tell(told);
        this
    }

    fn set(&self, size: Option<(u16, u16)>) {
        self.tell(
            self.appliance
                .relays
                .viewports
                .set(self.session, self.viewer, size),
        );
    }

    /// Tell the customer client a new size (never waits: a full queue drops it, as input).
    fn tell(&self, size: Option<(u16, u16)>) {
        let key = (self.session, Stream::Screen);
        if let (Some((width, height)), Some(input)) = (size, self.appliance.relays.input(key)) {
            let _ = input.try_send(view_message(width, height));
        }
    }
}

impl Drop for Viewport {
    fn drop(&mut self) {
        self.set(None);
    }
}

/// Tells the customer client the size the viewers show the screen at.
fn view_message(width: u16, height: u16) -> Message {
    let text = serde_json::to_string(&ViewerMessage::View { width, height }).unwrap_or_default();
    Message::Text(text.into())
}

/// Counts a viewer's input that was dropped (not allowed to type, no host reading, or the host's
/// queue full); audited once, with the count, when the viewer's socket ends.
struct Dropped {
    appliance: Arc<Appliance>,
    actor: String,
    stream: Stream,
    count: u64,
}

impl Drop for Dropped {
    fn drop(&mut self) {
        if self.count == 0 {
            return;
        }
        let (appliance, actor) = (Arc::clone(&self.appliance), std::mem::take(&mut self.actor));
        let what = format!("{:?}Input", self.stream);
        let why = format!("{} input messages dropped", self.count);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { appliance.audit_refusal(&actor, &what, &why).await });
        }
    }
}

/// A viewer's end, open only while the rules allow it.
async fn view(
    mut socket: WebSocket,
    appliance: Arc<Appliance>,
    credential: Credential,
    key: (SessionId, Stream),
    pipe: Pipe,
) {
    let Ok(who) = credential.principal() else {
        return;
    };
    let registration = appliance.connections.register(&credential);
    // Subscribed before the rules are read: a change committed in between arrives as an event.
    let mut events = appliance.subscribe(crate::feeds::Topic::SessionAndOrganisation(key.0));
    // Checked again once registered: a right that ended in between ends this stream too.
    if !still_valid(&appliance, &credential).await
        || may_view(&appliance.read().await.state, who, key).is_err()
    {
        return close(&mut socket, Ended::Revoked).await;
    }
    let expiry = credential.expiry();
    tokio::pin!(expiry);
    let refresh = || {
        let text = serde_json::to_string(&ViewerMessage::Refresh).unwrap_or_default();
        Message::Text(text.into())
    };
    let mut output = pipe.output.subscribe();
    let (mut control, mut steer) = {
        let state = &appliance.read().await.state;
        (
            may_control(state, who, key).is_ok(),
            may_steer(state, who, key),
        )
    };
    let refreshes = refresh_limit();
    let mut dropped = Dropped {
        appliance: Arc::clone(&appliance),
        actor: credential.label(),
        stream: key.1,
        count: 0,
    };
    let viewport = (key.1 == Stream::Screen).then(|| Viewport::join(&appliance, key.0));
    let mut liveness = crate::connections::Liveness::new(appliance.config.dead_after);
    loop {
        tokio::select! {
            // In this order: a change of right already published is heard before the next
            // keystroke is let through; a viewer's input before the screen's output, which
            // may always be ready (a viewer who floods input slows only their own picture).
            biased;
            () = registration.revoked() => return close(&mut socket, Ended::Revoked).await,
            () = &mut expiry => return close(&mut socket, Ended::Expired).await,
            event = events.recv() => {
                // A change to the session, or to the organisation (a permission removed, a team
                // disabled), may end the right to the stream or to control: decide again. Only
                // this session's events and organisation-wide ones arrive here; a subscription
                // that lagged missed some, so it decides again too.
                if matches!(event, Err(crate::feeds::Missed::Closed)) {
                    return;
                }
                let state = appliance.state().await;
                if may_view(&state, who, key).is_err() {
                    return close(&mut socket, Ended::NoLongerAllowed).await;
                }
                control = may_control(&state, who, key).is_ok();
                steer = may_steer(&state, who, key);
            }
            dead = liveness.tick() => {
                if dead || socket.send(Message::Ping(Vec::new().into())).await.is_err() { return }
            }
            typed = socket.recv() => match typed {
                Some(Ok(m @ (Message::Binary(_) | Message::Text(_)))) => {
                    liveness.heard();
                    // Never waits: with no host reading, input beyond the channel's room is dropped
                    // rather than held (and the loop keeps watching for the end of its right).
                    // A view's size is combined with the other viewers' before it goes on.
                    let forward = |m| appliance.relays.input(key).is_some_and(|input| input.try_send(m).is_ok());
                    let sent = match (route(control, steer, key, &m), viewport.as_ref()) {
                        (Route::Size(width, height), Some(viewport)) => { viewport.set(Some((width, height))); true }
                        (Route::Refresh, _) => refreshes.check().is_ok() && forward(m),
                        (Route::Forward, _) => forward(m),
                        _ => false,
                    };
                    if !sent {
                        dropped.count += 1;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => liveness.heard(),
            },
            shown = output.recv() => match shown {
                Ok(m) => if socket.send(m).await.is_err() { return },
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    let notice = format!("{{\"skipped\":{skipped}}}");
                    if socket.send(Message::Text(notice.into())).await.is_err() { return }
                    if let (Stream::Screen, Some(input)) = (key.1, appliance.relays.input(key)) { let _ = input.try_send(refresh()); }
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Message {
        Message::Text(s.into())
    }

    #[test]
    fn a_view_only_viewer_may_ask_acknowledge_and_size_but_not_point_or_type() {
        let screen = (SessionId(1), Stream::Screen);
        let pointer = text(r#"{"pointer":{"x":1,"y":2,"buttons":1}}"#);
        assert_eq!(
            route(false, false, screen, &pointer),
            Route::Drop,
            "A1: view only"
        );
        assert_eq!(route(true, true, screen, &pointer), Route::Forward);
        assert_eq!(
            route(false, false, screen, &text(r#""refresh""#)),
            Route::Refresh
        );
        assert_eq!(
            route(false, false, screen, &text(r#"{"ack":{"number":4}}"#)),
            Route::Forward
        );
        let size = text(r#"{"view":{"width":1080,"height":2400}}"#);
        assert_eq!(route(false, false, screen, &size), Route::Size(1080, 2400));
        // Issue 26: the monitor shown to everyone is chosen by the owner or a controller only.
        let monitor = text(r#"{"monitor":{"index":1}}"#);
        assert_eq!(route(false, false, screen, &monitor), Route::Drop);
        assert_eq!(route(false, true, screen, &monitor), Route::Forward);
        assert_eq!(route(true, true, screen, &text("not json")), Route::Drop);
        assert_eq!(
            route(true, true, screen, &Message::Binary(vec![1].into())),
            Route::Drop
        );
        let shell = (SessionId(1), Stream::Shell);
        assert_eq!(
            route(false, false, shell, &Message::Binary(vec![1].into())),
            Route::Forward
        );
    }
}
