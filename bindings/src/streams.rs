//! The session's streams for Kotlin: the customer's screen, pulled as the newest picture when
//! the app is ready to draw (no per-frame callback, nothing queued), with pointer and keys
//! going back; and the command shell, read and written as bytes.
use crate::error::TandemError;
use crate::runtime::{run, spawn};
use std::sync::Arc;
use tandem_core::client::{ScreenInput, ScreenView, ShellStream};
use tokio::sync::{Mutex, mpsc};

/// The customer's screen as last painted: `width * height` pixels of 4 bytes, B G R A; read as
/// little-endian `Int`s they are Android's `0xAARRGGBB` colour ints.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ScreenFrame {
    /// Pass this to the next `frame` call.
    pub seq: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels.
    pub pixels: Vec<u8>,
}

/// One of the customer's monitors.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenMonitor {
    /// What the customer's system calls it (`DP-1`).
    pub name: String,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// The customer's main monitor.
    pub primary: bool,
}

/// The customer's monitors and which one is sent (`shown`: its index; `None`, the whole
/// desktop).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenMonitors {
    /// In the order the customer's system lists them.
    pub monitors: Vec<ScreenMonitor>,
    /// The index of the monitor sent, if one is.
    pub shown: Option<u8>,
}

/// An open view of a session's screen; it closes when dropped (or stopped).
#[derive(Debug, uniffi::Object)]
pub struct TandemScreen {
    view: std::sync::Mutex<Option<ScreenView>>,
}

impl TandemScreen {
    pub(crate) fn new(view: ScreenView) -> Arc<Self> {
        Arc::new(Self {
            view: std::sync::Mutex::new(Some(view)),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&ScreenView) -> T) -> Option<T> {
        self.view.lock().ok()?.as_ref().map(f)
    }
}

#[uniffi::export]
impl TandemScreen {
    /// The newest picture if newer than `after` (0 at first); `None` when nothing new.
    pub fn frame(&self, after: u64) -> Option<ScreenFrame> {
        self.with(|v| v.latest(after))
            .flatten()
            .map(|p| ScreenFrame {
                seq: p.seq,
                width: p.width,
                height: p.height,
                pixels: p.pixels,
            })
    }

    /// Whether the stream has ended (sharing stopped, or the right to it was withdrawn).
    pub fn is_closed(&self) -> bool {
        self.with(ScreenView::is_closed).unwrap_or(true)
    }

    /// Move the pointer and set its buttons (bit 0 left, 1 middle, 2 right); the appliance
    /// passes it on only while you have control.
    ///
    /// # Errors
    /// `Network` once the stream has ended.
    pub async fn pointer(&self, x: u16, y: u16, buttons: u8) -> Result<(), TandemError> {
        let input = self.input()?;
        run(async move { Ok(input.pointer(x, y, buttons).await?) }).await
    }

    /// Press or release a key (an X11 keysym; Latin-1 characters are their own code).
    ///
    /// # Errors
    /// `Network` once the stream has ended.
    pub async fn key(&self, keysym: u32, down: bool) -> Result<(), TandemError> {
        let input = self.input()?;
        run(async move { Ok(input.key(keysym, down).await?) }).await
    }

    /// Show the whole screen within `width` x `height` pixels: the customer client sends it
    /// scaled down to fit (never up), so the phone is sent what it can show. Ask for more when
    /// the technician zooms in. Pointer positions stay in the frame's pixels.
    ///
    /// # Errors
    /// `Network` once the stream has ended.
    pub async fn show(&self, width: u16, height: u16) -> Result<(), TandemError> {
        let input = self.input()?;
        run(async move { Ok(input.show(width, height).await?) }).await
    }

    /// The customer's monitors, once the customer client said; `None` before.
    pub fn monitors(&self) -> Option<ScreenMonitors> {
        let listed = self.with(ScreenView::monitors).flatten()?;
        Some(ScreenMonitors {
            monitors: listed
                .monitors
                .into_iter()
                .map(|m| ScreenMonitor {
                    name: m.name,
                    width: m.width,
                    height: m.height,
                    primary: m.primary,
                })
                .collect(),
            shown: listed.shown,
        })
    }

    /// See one monitor alone (its index in `monitors`), or the whole desktop (`None`). Every
    /// viewer of the session then sees it: the last choice counts.
    ///
    /// # Errors
    /// `Network` once the stream has ended.
    pub async fn show_monitor(&self, index: Option<u8>) -> Result<(), TandemError> {
        let input = self.input()?;
        run(async move { Ok(input.monitor(index).await?) }).await
    }

    /// Stop viewing now (Kotlin's `close()` also frees the object).
    pub fn stop(&self) {
        if let Ok(mut view) = self.view.lock() {
            view.take();
        }
    }
}

impl TandemScreen {
    fn input(&self) -> Result<ScreenInput, TandemError> {
        self.with(ScreenView::input).ok_or(TandemError::Network {
            detail: "the screen view is closed".into(),
        })
    }
}

/// What the shell's writer task is asked to do.
#[derive(Debug)]
enum ToShell {
    Bytes(Vec<u8>),
    Resize(u16, u16),
}

/// An open command shell on the customer's computer; it closes when dropped.
#[derive(Debug, uniffi::Object)]
pub struct TandemShell {
    to_shell: mpsc::Sender<ToShell>,
    output: Mutex<mpsc::Receiver<Vec<u8>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TandemShell {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TandemShell {
    pub(crate) fn new(mut stream: ShellStream) -> Arc<Self> {
        let (to_shell, mut asked) = mpsc::channel::<ToShell>(64);
        let (printed, output) = mpsc::channel::<Vec<u8>>(64);
        let task = spawn(async move {
            loop {
                tokio::select! {
                    next = asked.recv() => {
                        let sent = match next {
                            Some(ToShell::Bytes(bytes)) => stream.send(&bytes).await,
                            Some(ToShell::Resize(cols, rows)) => stream.resize(cols, rows).await,
                            None => break,
                        };
                        if sent.is_err() { break }
                    }
                    out = stream.recv() => match out {
                        Some(bytes) => if printed.send(bytes).await.is_err() { break },
                        None => break,
                    },
                }
            }
        });
        Arc::new(Self {
            to_shell,
            output: Mutex::new(output),
            task,
        })
    }

    async fn ask(&self, what: ToShell) -> Result<(), TandemError> {
        self.to_shell
            .send(what)
            .await
            .map_err(|_| TandemError::Network {
                detail: "the command shell has closed".into(),
            })
    }
}

#[uniffi::export]
impl TandemShell {
    /// Type into the shell.
    ///
    /// # Errors
    /// `Network` once the shell has closed.
    pub async fn write(&self, bytes: Vec<u8>) -> Result<(), TandemError> {
        self.ask(ToShell::Bytes(bytes)).await
    }

    /// Tell the shell the terminal's size.
    ///
    /// # Errors
    /// `Network` once the shell has closed.
    pub async fn resize(&self, cols: u16, rows: u16) -> Result<(), TandemError> {
        self.ask(ToShell::Resize(cols, rows)).await
    }

    /// The next output; `None` once the shell has closed.
    pub async fn read(&self) -> Option<Vec<u8>> {
        self.output.lock().await.recv().await
    }
}
