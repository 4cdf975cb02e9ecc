//! The command shell on the customer's computer: a real PTY running the user's shell, its
//! output sent to the appliance, what the technician types written back, resizes applied.
use futures_util::{SinkExt, StreamExt};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
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

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The user's shell: `$SHELL`, or `/bin/sh`.
fn user_shell() -> CommandBuilder {
    let mut command =
        CommandBuilder::new(std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into()));
    command.env("TERM", "xterm-256color");
    if let Ok(home) = std::env::var("HOME") {
        command.cwd(home);
    }
    command
}

/// Start the shell and connect it to the session's shell stream.
///
/// # Errors
/// When no PTY can be opened, the shell cannot start, or the appliance cannot be reached.
pub async fn start(api: &Api, session: SessionId) -> Result<ShellHost, ClientError> {
    let failed =
        |what: &str, e: &dyn std::fmt::Display| ClientError::Protocol(format!("{what}: {e}"));
    let pair = native_pty_system()
        .openpty(size(80, 24))
        .map_err(|e| failed("no PTY", &e))?;
    let mut child = pair
        .slave
        .spawn_command(user_shell())
        .map_err(|e| failed("the shell did not start", &e))?;
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| failed("PTY", &e))?;
    let mut writer = pair.master.take_writer().map_err(|e| failed("PTY", &e))?;
    let master = pair.master;

    let socket =
        tandem_core::client::open_stream(api, &format!("api/v1/sessions/{}/shell", session.0))
            .await?;
    let (mut to_appliance, mut from_appliance) = socket.split();

    // The PTY is blocking: one thread reads it, one writes it.
    let (output_tx, mut output_rx) = mpsc::channel::<Vec<u8>>(64);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 || output_tx.blocking_send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let (input_tx, input_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        for bytes in input_rx {
            if writer
                .write_all(&bytes)
                .and_then(|()| writer.flush())
                .is_err()
            {
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
                        let resize = serde_json::from_str::<serde_json::Value>(text.as_str()).ok();
                        if let Some(r) = resize.as_ref().and_then(|v| v.get("resize")) {
                            let cols = r["cols"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(80);
                            let rows = r["rows"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(24);
                            let _ = master.resize(size(cols, rows));
                        }
                    }
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
        let _ = child.kill();
        let _ = to_appliance.close().await;
    });
    Ok(ShellHost { task })
}
