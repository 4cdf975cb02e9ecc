//! Elevation (E2, E3, E4): the customer client restarts itself with administrative rights and
//! hands the session to the new process, which joins with the same session token and proof key.
//! Wrong credentials (or a No) leave the session as it was.
//!
//! - Linux (E4 names only Windows and macOS, ours goes further): with the password the customer
//!   typed or the technician provided, through sudo. The password goes to sudo's standard input
//!   and nowhere else; the session goes to the new process in a file only the user can read,
//!   which it deletes on reading; the two talk through sudo's pipes.
//! - Windows: through Windows' own prompt (`uac`), the session handed over through a named pipe
//!   (`handover`).
use crate::button::Places;
use crate::session::Consent;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tandem_core::domain::{PromptKind, SessionId};
use tokio::io::{AsyncRead, AsyncWrite, BufReader, Lines};
use tokio::process::Command;

#[cfg(windows)]
pub mod handover;
#[cfg(windows)]
pub mod uac;

/// Whether the customer types a password to allow elevation (Prompt Customer): on Linux, sudo
/// takes the user's own; on Windows, Windows' own prompt asks.
pub const ASKS_PASSWORD: bool = cfg!(unix);

/// What the new process prints once it has taken over the session.
pub const READY: &str = "tandem: elevated";
/// How long sudo and the new process may take.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What the elevated process needs to carry on the session.
#[derive(Clone, Serialize, Deserialize)]
pub struct Resume {
    /// The appliance.
    pub url: String,
    /// Its pinned fingerprint, if self-signed.
    pub fingerprint: Option<String>,
    /// The session's customer token.
    pub token: String,
    /// The key the token is bound to (issue 26), as `ProofKey::to_text` wrote it.
    #[serde(default)]
    pub proof: Option<String>,
    /// The session.
    pub session: SessionId,
    /// The elevation request to answer once running as root.
    pub prompt: PromptKind,
    /// How the customer answers requests.
    pub consent: Consent,
    /// The user's places (root's home is not where the user's launchers go).
    pub places: Option<Places>,
    /// The session's installation, removed at End (C1).
    pub install_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Resume {
    // The token never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resume")
            .field("url", &self.url)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// The variables the shared display needs, from this process: sudo clears the environment,
/// so they are passed on through `env`.
#[cfg(not(windows))]
fn display_env() -> Vec<String> {
    [
        "DISPLAY",
        "XAUTHORITY",
        "WAYLAND_DISPLAY",
        "XDG_RUNTIME_DIR",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}")))
    .collect()
}

impl Resume {
    /// Read and delete a resume file (the new process's first step).
    ///
    /// # Errors
    /// When it is missing or malformed.
    pub fn take(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let _ = std::fs::remove_file(path);
        serde_json::from_slice(&bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// Why elevation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ElevationError {
    /// sudo takes the signed-in user's own password.
    #[error(
        "on Linux, elevation takes the password of the signed-in user ({current}), who must be allowed to use sudo; credentials for {given} cannot be used"
    )]
    OtherUser {
        /// The user name given.
        given: String,
        /// The user running the client.
        current: String,
    },
    /// sudo said no.
    #[error("the credentials were refused ({0})")]
    Refused(String),
    /// sudo or the new process could not be started.
    #[error("the client could not restart with administrative rights: {0}")]
    Failed(String),
}

/// What is read from the elevated process.
pub type FromElevated = Lines<BufReader<Box<dyn AsyncRead + Send + Unpin>>>;

/// The elevated process, which now runs the session, and this side's ends of its pipes.
pub struct Elevated {
    /// Done when the elevated process has ended: whether it ended well.
    pub ended: std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>,
    /// What the customer types goes here.
    pub stdin: Box<dyn AsyncWrite + Send + Unpin>,
    /// What it says comes from here.
    pub stdout: FromElevated,
}

impl std::fmt::Debug for Elevated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Elevated").finish_non_exhaustive()
    }
}

/// The user running this client.
pub async fn current_user() -> String {
    if cfg!(windows) {
        return std::env::var("USERNAME").unwrap_or_default();
    }
    let out = Command::new("id").arg("-un").output().await;
    out.ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|u| !u.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default()
}

/// Restart `exe` elevated, and wait until it has taken over: on Windows through Windows' prompt
/// (with the technician's account for Provide Credentials).
///
/// # Errors
/// An [`ElevationError`]; the session is then untouched.
#[cfg(windows)]
pub async fn restart_as_root(
    resume: &Resume,
    exe: &Path,
    _dir: &Path,
    username: &str,
    password: &str,
) -> Result<Elevated, ElevationError> {
    use tandem_core::domain::ElevationMethod;
    let rendezvous = handover::Rendezvous::new()?;
    let pipe = rendezvous.listen()?;
    let credentials = matches!(
        resume.prompt,
        PromptKind::Elevation(ElevationMethod::ProvideCredentials)
    )
    .then_some((username.trim(), password));
    // The technician's account cannot read this user's profile, where the program is: it runs
    // a copy in the machine's shared program data.
    let staged = match credentials {
        Some(_) => Some(uac::Staged::copy(exe)?),
        None => None,
    };
    let program = staged.as_ref().map_or(exe, |s| s.program.as_path());
    let started = uac::launch(program, &rendezvous, credentials)?;
    let (stdin, stdout) =
        handover::give(&rendezvous, pipe, resume, started.exited(), START_TIMEOUT).await?;
    Ok(Elevated {
        // The pipe's end is the session's end here; the staged copy goes with this future.
        ended: Box::pin(async move {
            drop(staged);
            true
        }),
        stdin,
        stdout,
    })
}

/// Restart `exe` as root through sudo with `password`, and wait until it has taken over.
///
/// # Errors
/// An [`ElevationError`]; the session is then untouched.
#[cfg(not(windows))]
pub async fn restart_as_root(
    resume: &Resume,
    exe: &Path,
    dir: &Path,
    username: &str,
    password: &str,
) -> Result<Elevated, ElevationError> {
    let current = current_user().await;
    if username.trim() != current {
        return Err(ElevationError::OtherUser {
            given: username.trim().to_owned(),
            current,
        });
    }
    let failed = |e: std::io::Error| ElevationError::Failed(e.to_string());
    std::fs::create_dir_all(dir).map_err(failed)?;
    let file = dir.join("elevate.json");
    crate::install::write_private(
        &file,
        &serde_json::to_vec(resume).map_err(|e| ElevationError::Failed(e.to_string()))?,
    )
    .map_err(failed)?;
    let outcome = start(exe, &file, password).await;
    if outcome.is_err() {
        let _ = std::fs::remove_file(&file);
    }
    outcome
}

#[cfg(not(windows))]
async fn start(exe: &Path, file: &Path, password: &str) -> Result<Elevated, ElevationError> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut child = Command::new("sudo")
        .env("LC_ALL", "C")
        .args(["-S", "-k", "-p", "", "--", "env"])
        .args(display_env())
        .arg(exe)
        .arg("--resume")
        .arg(file)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ElevationError::Failed(format!("sudo: {e}")))?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(ElevationError::Failed("no pipes to sudo".into()));
    };
    // One line for sudo: a line break inside the password would reach the elevated client as
    // if the customer had typed it.
    if password.chars().any(char::is_control) {
        return Err(ElevationError::Refused(
            "the password holds a line break or control character".into(),
        ));
    }
    stdin
        .write_all(format!("{password}\n").as_bytes())
        .await
        .map_err(|e| ElevationError::Failed(e.to_string()))?;
    let stdout: Box<dyn AsyncRead + Send + Unpin> = Box::new(stdout);
    let mut stdout = BufReader::new(stdout).lines();
    let mut stderr = BufReader::new(stderr).lines();
    let mut complaints = Vec::new();
    let waited = tokio::time::timeout(START_TIMEOUT, async {
        loop {
            tokio::select! {
                line = stdout.next_line() => match line {
                    Ok(Some(line)) if line == READY => return Ok(()),
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => return Err(()),
                },
                line = stderr.next_line() => if let Ok(Some(line)) = line {
                    // sudo asks again after a wrong password: that is a refusal, not a wait.
                    let refused = ["try again", "incorrect password", "not in the sudoers", "not allowed", "may not run"]
                        .iter()
                        .any(|m| line.contains(m));
                    complaints.push(line);
                    if refused { return Err(()) }
                },
            }
        }
    })
    .await;
    match waited {
        Ok(Ok(())) => {
            // Keep sudo's messages flowing to the log rather than filling a pipe.
            tokio::spawn(async move {
                while let Ok(Some(line)) = stderr.next_line().await {
                    tracing::info!("elevated client: {line}");
                }
            });
            Ok(Elevated {
                ended: Box::pin(async move { child.wait().await.is_ok_and(|s| s.success()) }),
                stdin: Box::new(stdin),
                stdout,
            })
        }
        Ok(Err(())) => {
            let _ = child.kill().await;
            let said = complaints
                .iter()
                .map(|l| l.trim().trim_start_matches("sudo: "))
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            Err(ElevationError::Refused(if said.is_empty() {
                "sudo refused".into()
            } else {
                said
            }))
        }
        Err(_) => {
            let _ = child.kill().await;
            Err(ElevationError::Failed("sudo did not answer in time".into()))
        }
    }
}
