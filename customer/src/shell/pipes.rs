//! `cmd.exe` behind pipes, where Windows has no pseudo console: before Windows 10 1809, and
//! under Wine (whose pseudo console starts but passes nothing through). What the technician
//! types goes through [`LineEditor`]: echoed, and given to `cmd` a whole line per write (Wine's
//! `cmd` reads only the first line of each write).
use super::{LineEditor, Terminal, failed, write_flushed};
use std::process::{Command, Stdio};
use tandem_core::client::ClientError;
use tokio::sync::mpsc;

/// Whether pipes must stand in for a pseudo console: Wine, or a Windows without
/// `CreatePseudoConsole`.
pub(super) fn needed() -> bool {
    crate::windows::under_wine() || !crate::windows::has_pseudo_console()
}

/// Start `%ComSpec%` (or `cmd.exe`) in the user's profile with its three streams piped;
/// `echo` takes what the line editor shows.
pub(super) fn open(echo: mpsc::Sender<Vec<u8>>) -> Result<Terminal, ClientError> {
    use std::os::windows::process::CommandExt;
    /// No console window of its own (CREATE_NO_WINDOW).
    const NO_WINDOW: u32 = 0x0800_0000;
    let mut command = Command::new(std::env::var("ComSpec").unwrap_or_else(|_| "cmd.exe".into()));
    if let Ok(home) = std::env::var("USERPROFILE") {
        command.current_dir(home);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .creation_flags(NO_WINDOW)
        .spawn()
        .map_err(|e| failed("the shell did not start", &e))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(ClientError::Protocol("the shell has no pipes".into()));
    };
    let mut editor = LineEditor::default();
    // Weak: when cmd exits, its pipes close and the stream ends, echo or no echo.
    let echo = echo.downgrade();
    Ok(Terminal {
        outputs: vec![Box::new(stdout), Box::new(stderr)],
        input: Box::new(move |bytes| {
            let typed = editor.type_bytes(bytes);
            if let (false, Some(echo)) = (typed.echo.is_empty(), echo.upgrade()) {
                let _ = echo.blocking_send(typed.echo);
            }
            for line in typed.lines {
                write_flushed(&mut stdin, line.as_bytes())?;
            }
            Ok(())
        }),
        // Pipes have no size.
        resize: Box::new(|_, _| {}),
        kill: Box::new(move || {
            let _ = child.kill();
        }),
    })
}
