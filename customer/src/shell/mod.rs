//! The command shell on the customer's computer: the user's shell in a real terminal (a PTY on
//! Unix, a pseudo console on Windows), or, where Windows has no pseudo console (before Windows
//! 10 1809, and under Wine), `cmd.exe` behind pipes with the line editing a terminal would do.
//! Its output goes to the appliance; what the technician types is written back; resizes are
//! applied where there is a terminal to resize.
mod line;
#[cfg(windows)]
mod pipes;
mod pty;

pub use line::{LineEditor, Typed};

use futures_util::{SinkExt, StreamExt};
use std::io::{Read, Write};
use tandem_core::client::{Api, ClientError};
use tandem_core::domain::SessionId;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// A running shell, stopped when dropped.
#[derive(Debug)]
pub struct ShellHost {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ShellHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Takes what the technician types and gives it to the shell.
pub(crate) type Typing = Box<dyn FnMut(&[u8]) -> std::io::Result<()> + Send>;

/// Where the shell runs: what it prints, what takes the technician's typing, and the terminal.
pub(crate) struct Terminal {
    /// Its output (a PTY has one; pipes have stdout and stderr).
    pub outputs: Vec<Box<dyn Read + Send>>,
    /// Takes what the technician types, in the order typed.
    pub input: Typing,
    /// Sets the terminal's columns and rows, where there is one.
    pub resize: Box<dyn FnMut(u16, u16) + Send>,
    /// Stops the shell.
    pub kill: Box<dyn FnMut() + Send>,
}

fn failed(what: &str, e: &dyn std::fmt::Display) -> ClientError {
    ClientError::Protocol(format!("{what}: {e}"))
}

/// Open this platform's terminal with the user's shell in it.
fn open(echo: &mpsc::Sender<Vec<u8>>) -> Result<Terminal, ClientError> {
    #[cfg(windows)]
    if pipes::needed() {
        return pipes::open(echo.clone());
    }
    let _ = echo;
    pty::open()
}

/// Start the shell and connect it to the session's shell stream.
///
/// # Errors
/// When no terminal can be opened, the shell cannot start, or the appliance cannot be reached.
pub async fn start(api: &Api, session: SessionId) -> Result<ShellHost, ClientError> {
    let (output_tx, mut output_rx) = mpsc::channel::<Vec<u8>>(64);
    let Terminal {
        outputs,
        mut input,
        mut resize,
        mut kill,
    } = open(&output_tx)?;
    let socket =
        tandem_core::client::open_stream(api, &format!("api/v1/sessions/{}/shell", session.0))
            .await?;
    let (mut to_appliance, mut from_appliance) = socket.split();

    // The terminal is blocking: one thread reads each output, one writes the input.
    for mut reader in outputs {
        let output_tx = output_tx.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 || output_tx.blocking_send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
    }
    drop(output_tx);
    let (input_tx, input_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        for bytes in input_rx {
            if input(&bytes).is_err() {
                break;
            }
        }
    });

    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                printed = output_rx.recv() => match printed {
                    Some(bytes) => if to_appliance.send(Message::Binary(bytes.into())).await.is_err() { break },
                    None => break, // the shell exited
                },
                typed = from_appliance.next() => match typed {
                    Some(Ok(Message::Binary(bytes))) => { let _ = input_tx.send(bytes.to_vec()); }
                    Some(Ok(Message::Text(text))) => {
                        let resized = serde_json::from_str::<serde_json::Value>(text.as_str()).ok();
                        if let Some(r) = resized.as_ref().and_then(|v| v.get("resize")) {
                            let cols = r["cols"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(80);
                            let rows = r["rows"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(24);
                            resize(cols, rows);
                        }
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
        kill();
        let _ = to_appliance.close().await;
    });
    Ok(ShellHost { task })
}

/// Write all of `bytes` and flush.
fn write_flushed(writer: &mut (dyn Write + Send), bytes: &[u8]) -> std::io::Result<()> {
    writer.write_all(bytes)?;
    writer.flush()
}
