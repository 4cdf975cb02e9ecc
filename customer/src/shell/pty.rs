//! The user's shell in a real terminal: a PTY on Unix, a pseudo console (ConPTY) on Windows.
use super::{Terminal, failed, write_flushed};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use tandem_core::client::ClientError;

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// The user's shell: `$SHELL` or `/bin/sh` on Unix, `%ComSpec%` or `cmd.exe` on Windows.
fn user_shell() -> CommandBuilder {
    let (variable, fallback, home) = if cfg!(windows) {
        ("ComSpec", "cmd.exe", "USERPROFILE")
    } else {
        ("SHELL", "/bin/sh", "HOME")
    };
    let mut command =
        CommandBuilder::new(std::env::var(variable).unwrap_or_else(|_| fallback.into()));
    command.env("TERM", "xterm-256color");
    if let Ok(home) = std::env::var(home) {
        command.cwd(home);
    }
    command
}

/// Open a terminal of 80x24 with the user's shell in it.
pub(super) fn open() -> Result<Terminal, ClientError> {
    let pair = native_pty_system()
        .openpty(size(80, 24))
        .map_err(|e| failed("no terminal", &e))?;
    let mut child = pair
        .slave
        .spawn_command(user_shell())
        .map_err(|e| failed("the shell did not start", &e))?;
    drop(pair.slave);
    let reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| failed("terminal", &e))?;
    let mut writer = pair
        .master
        .take_writer()
        .map_err(|e| failed("terminal", &e))?;
    let master = pair.master;
    Ok(Terminal {
        outputs: vec![reader],
        input: Box::new(move |bytes| write_flushed(writer.as_mut(), bytes)),
        resize: Box::new(move |cols, rows| {
            let _ = master.resize(size(cols, rows));
        }),
        kill: Box::new(move || {
            let _ = child.kill();
        }),
    })
}
