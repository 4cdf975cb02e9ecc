//! The streaming client: a technician's view of the customer's screen. A background task reads
//! frames from the appliance and paints them into the current picture; the app pulls the
//! newest picture when it is ready to draw (no per-frame callback, nothing queued: a slow
//! phone skips pictures, never falls behind). Pointer and key events go back the same way.
use super::api::Api;
use super::error::ClientError;
use crate::domain::SessionId;
pub use crate::screen::picture::Picture;
use crate::screen::viewer::{Heard, Reply, Viewer};
use crate::screen::{self, ViewerMessage};
use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// What a view has received so far: for a bitrate shown to the technician, and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// Frames received (painted or not).
    pub frames: u64,
    /// Their bytes, as the appliance sent them.
    pub bytes: u64,
    /// Key frames painted, and the time their decoding and painting took.
    pub key_frames: u64,
    /// (See `key_frames`.)
    pub key_painting: std::time::Duration,
    /// Other frames painted, and the time theirs took.
    pub updates: u64,
    /// (See `updates`.)
    pub painting: std::time::Duration,
}

#[derive(Debug, Default)]
struct Canvas {
    /// What every console does with the stream's messages, and the picture so far.
    viewer: Viewer,
    received: Received,
    closed: bool,
}

/// An open view of a session's screen, closed when dropped.
#[derive(Debug)]
pub struct ScreenView {
    canvas: Arc<Mutex<Canvas>>,
    outgoing: mpsc::Sender<ViewerMessage>,
    task: tokio::task::JoinHandle<()>,
    /// Changes each time a message was taken in; closed with the stream.
    news: watch::Receiver<()>,
}

impl Drop for ScreenView {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Take in a binary message, counting frames and the time their painting took.
fn take_in(canvas: &mut Canvas, bytes: &[u8]) -> Reply {
    let started = std::time::Instant::now();
    let reply = canvas.viewer.receive(bytes);
    let r = &mut canvas.received;
    match reply.heard {
        Ok(Heard::Frame { painted, key }) => {
            r.frames += 1;
            r.bytes += bytes.len() as u64;
            match (painted, key) {
                (false, _) => {}
                (true, true) => {
                    r.key_frames += 1;
                    r.key_painting += started.elapsed();
                }
                (true, false) => {
                    r.updates += 1;
                    r.painting += started.elapsed();
                }
            }
        }
        Err(_) if screen::number_of(bytes).is_some() => {
            r.frames += 1;
            r.bytes += bytes.len() as u64;
        }
        _ => {}
    }
    reply
}

impl ScreenView {
    /// Open the session's screen, which must be shared (the customer allowed it).
    ///
    /// # Errors
    /// `Refused` when the rules do not allow it now; otherwise a connection failure.
    pub async fn open(api: &Api, session: SessionId) -> Result<Self, ClientError> {
        let socket =
            super::stream::open(api, &format!("api/v1/sessions/{}/screen", session.0)).await?;
        let (mut sink, mut source) = socket.split();
        let canvas = Arc::new(Mutex::new(Canvas::default()));
        let (outgoing, mut queued) = mpsc::channel::<ViewerMessage>(64);
        let painter = canvas.clone();
        let refresh = outgoing.clone();
        let _ = outgoing.try_send(Viewer::hello());
        let (told, news) = watch::channel(());
        let task = tokio::spawn(async move {
            'stream: loop {
                tokio::select! {
                    message = source.next() => match message {
                        Some(Ok(Message::Binary(bytes))) => {
                            // Painted on a blocking thread, never on one of the runtime's
                            // workers that every other socket of the console shares. The format
                            // bounds a frame's cost to about one whole picture's (issue 26);
                            // closing the screen aborts this task after the frame in hand.
                            let (canvas, kind) = (painter.clone(), bytes.first().copied());
                            let painted = tokio::task::spawn_blocking(move || {
                                canvas.lock().ok().map(|mut c| take_in(&mut c, &bytes))
                            })
                            .await;
                            let Ok(Some(reply)) = painted else { break };
                            told.send_replace(());
                            if let Err(e) = &reply.heard {
                                tracing::warn!(error = %e, kind, "a screen message could not be used");
                            }
                            // Sent here, not queued behind input: the acknowledgement lets the
                            // customer client send the next frame.
                            for m in reply.send {
                                let text = serde_json::to_string(&m).unwrap_or_default();
                                if sink.send(Message::Text(text.into())).await.is_err() { break 'stream }
                            }
                        }
                        // The appliance says this viewer skipped frames: start again from a key frame.
                        Some(Ok(Message::Text(_))) => {
                            if let Some(m) = painter.lock().ok().and_then(|mut c| c.viewer.skipped()) {
                                let _ = refresh.try_send(m);
                            }
                        }
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        Some(Ok(_)) => {}
                    },
                    next = queued.recv() => match next {
                        Some(m) => {
                            let text = serde_json::to_string(&m).unwrap_or_default();
                            if sink.send(Message::Text(text.into())).await.is_err() { break }
                        }
                        None => break,
                    },
                }
            }
            if let Ok(mut c) = painter.lock() {
                c.closed = true;
            }
        });
        Ok(Self {
            canvas,
            outgoing,
            task,
            news,
        })
    }

    /// The newest picture if it is newer than `after` (the `seq` you last drew; 0 at first),
    /// with the customer's pointer drawn on it.
    #[must_use]
    pub fn latest(&self, after: u64) -> Option<Picture> {
        let canvas = self.canvas.lock().ok()?;
        if canvas.viewer.picture()?.seq <= after {
            return None;
        }
        canvas.viewer.picture_with_pointer()
    }

    /// The first picture newer than `after`, waiting for it: `None` once the stream has ended
    /// without one. (Apps that draw on their own clock pull [`ScreenView::latest`] instead.)
    pub async fn next_picture(&self, after: u64) -> Option<Picture> {
        let mut news = self.news.clone();
        loop {
            if let Some(picture) = self.latest(after) {
                return Some(picture);
            }
            if news.changed().await.is_err() {
                return self.latest(after);
            }
        }
    }

    /// The frames and bytes received so far.
    #[must_use]
    pub fn received(&self) -> Received {
        self.canvas
            .lock()
            .map_or_else(|_| Received::default(), |c| c.received)
    }

    /// Whether the stream has ended (screen sharing stopped, or the right to it was withdrawn).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.canvas.lock().map_or(true, |c| c.closed)
    }

    /// A handle for sending pointer and keys, usable apart from the view.
    #[must_use]
    pub fn input(&self) -> ScreenInput {
        ScreenInput {
            outgoing: self.outgoing.clone(),
            canvas: Arc::clone(&self.canvas),
        }
    }

    /// Say how many pixels this viewer shows the whole screen in: the customer client sends the
    /// screen scaled down to fit (never up), so a phone gets what it can show (issue 15). Ask
    /// again with more when the technician zooms in, up to the screen's own size for every
    /// detail. Pictures then come at that size; pointer positions stay in the picture's pixels.
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn show(&self, width: u16, height: u16) -> Result<(), ClientError> {
        self.input().show(width, height).await
    }

    /// The customer's monitors and which one is sent (`shown: None`, the whole desktop), once
    /// the customer client said; `None` before.
    #[must_use]
    pub fn monitors(&self) -> Option<screen::monitors::Monitors> {
        self.canvas.lock().ok()?.viewer.monitors().cloned()
    }

    /// See one monitor alone, or the whole desktop; see [`ScreenInput::monitor`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn monitor(&self, index: Option<u8>) -> Result<(), ClientError> {
        self.input().monitor(index).await
    }

    /// Move the pointer and set its buttons; see [`ScreenInput::pointer`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn pointer(&self, x: u16, y: u16, buttons: u8) -> Result<(), ClientError> {
        self.input().pointer(x, y, buttons).await
    }

    /// Press or release a key; see [`ScreenInput::key`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn key(&self, keysym: u32, down: bool) -> Result<(), ClientError> {
        self.input().key(keysym, down).await
    }
}

/// Sends a viewer's pointer and keys to the customer's screen.
#[derive(Debug, Clone)]
pub struct ScreenInput {
    outgoing: mpsc::Sender<ViewerMessage>,
    canvas: Arc<Mutex<Canvas>>,
}

impl ScreenInput {
    /// Move the pointer to (x, y) of the picture last painted and set its buttons (bit 0 left,
    /// 1 middle, 2 right); a scaled picture's point is sent as the screen's. The appliance
    /// forwards it only while this technician has control (A1).
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn pointer(&self, x: u16, y: u16, buttons: u8) -> Result<(), ClientError> {
        let (x, y) = self
            .canvas
            .lock()
            .map_or((x, y), |c| c.viewer.on_screen(x, y));
        self.send(ViewerMessage::Pointer { x, y, buttons }).await
    }

    /// Press or release a key (an X11 keysym; Latin-1 characters are their own code).
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn key(&self, keysym: u32, down: bool) -> Result<(), ClientError> {
        self.send(ViewerMessage::Key { keysym, down }).await
    }

    /// Show the whole screen within `width` x `height` pixels; see [`ScreenView::show`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn show(&self, width: u16, height: u16) -> Result<(), ClientError> {
        self.send(ViewerMessage::View { width, height }).await
    }

    /// Ask for one monitor alone (its index in [`ScreenView::monitors`]), or the whole desktop
    /// (`None`). The stream is shared: every viewer of the session then sees it (the last
    /// choice counts). Pictures then come of that monitor, and pointer positions are its own.
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn monitor(&self, index: Option<u8>) -> Result<(), ClientError> {
        self.send(ViewerMessage::Monitor { index }).await
    }

    async fn send(&self, message: ViewerMessage) -> Result<(), ClientError> {
        self.outgoing
            .send(message)
            .await
            .map_err(|_| ClientError::Network("the screen stream has ended".into()))
    }
}
