//! A virtual X display (Debian's Xvfb) for the screen tests and screen-bench, stopped when
//! dropped.
use std::io::BufRead as _;
use std::process::Stdio;

/// A running Xvfb.
#[derive(Debug)]
pub struct Display {
    child: std::process::Child,
    /// Its name, for `DISPLAY`.
    pub name: String,
}

impl Display {
    /// Start Xvfb on a free display number with a black background.
    ///
    /// # Errors
    /// When Xvfb is missing (`scripts/setup` installs it) or says no display number.
    pub fn start(width: u16, height: u16) -> std::io::Result<Self> {
        let missing = |e: std::io::Error| {
            std::io::Error::new(
                e.kind(),
                format!("Xvfb (Debian package xvfb; scripts/setup installs it): {e}"),
            )
        };
        let mut child = std::process::Command::new("Xvfb")
            .args(["-displayfd", "1", "-nolisten", "tcp", "-br", "-screen", "0"])
            .arg(format!("{width}x{height}x24"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(missing)?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            std::io::BufReader::new(out).read_line(&mut line)?;
        }
        // Stopped if it said nothing usable.
        let display = Self {
            child,
            name: format!(":{}", line.trim()),
        };
        if line.trim().is_empty() {
            return Err(std::io::Error::other("Xvfb gave no display number"));
        }
        Ok(display)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
