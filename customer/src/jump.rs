//! The Jump Client (J1): once a technician pins this computer, a user-level background agent is
//! installed that keeps one outbound connection to the appliance. When a technician starts an
//! unattended session through it, the agent joins that session as the customer client (nobody
//! is at the computer to ask: pinning was the customer's consent, so the agent allows the
//! technician's tools). Unpinning uninstalls it; ending a session never does.
//!
//! The agent runs as a systemd user service where the user has a systemd session, and is
//! started directly (in its own process group) where not.
use crate::button::Places;
use crate::session::{self, Consent, Install};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tandem_core::client::{Api, ClientError, Endpoint, FeedOptions, backoff};
use tandem_core::domain::JumpClientId;
use tandem_core::protocol::{AgentMessage, JumpCredentials};
use tokio_tungstenite::tungstenite::Message;

const UNIT: &str = "tandem-jump-client.service";

/// What the agent needs to reach the appliance.
#[derive(Clone, Serialize, Deserialize)]
pub struct JumpConfig {
    /// The appliance.
    pub url: String,
    /// Its pinned certificate fingerprint, if self-signed.
    pub fingerprint: Option<String>,
    /// The jump client.
    pub jump_client: JumpClientId,
    /// The agent's credential.
    pub token: String,
}

impl std::fmt::Debug for JumpConfig {
    // The credential never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JumpConfig")
            .field("url", &self.url)
            .field("jump_client", &self.jump_client)
            .finish_non_exhaustive()
    }
}

/// Where the jump client's files live.
#[derive(Debug, Clone)]
pub struct JumpFiles {
    /// Its own copy of this program, and its log.
    pub dir: PathBuf,
    /// Its configuration (readable by the user only: it holds the credential).
    pub config: PathBuf,
    /// Its systemd user unit.
    pub unit: PathBuf,
}

impl JumpFiles {
    /// The places for this user.
    #[must_use]
    pub fn of(places: &Places) -> Self {
        Self {
            dir: places.data.join("jump-client"),
            config: places.config.join("jump-client.json"),
            unit: places.units.join(UNIT),
        }
    }
}

/// Whether this user already has the agent of `jump_client` installed (an unattended session
/// is run by that very agent; a late client must not install it twice).
#[must_use]
pub fn installed(places: &Places, jump_client: JumpClientId) -> bool {
    std::fs::read(JumpFiles::of(places).config)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<JumpConfig>(&bytes).ok())
        .is_some_and(|config| config.jump_client == jump_client)
}

/// Install the agent for a pinned jump client and start it.
///
/// # Errors
/// When its files cannot be written or it cannot be started.
pub fn install(
    places: &Places,
    install: &Install,
    credentials: JumpCredentials,
) -> std::io::Result<()> {
    let files = JumpFiles::of(places);
    let program = crate::install::place_program(&install.exe, &files.dir)?;
    std::fs::create_dir_all(&places.config)?;
    let config = JumpConfig {
        url: install.url.clone(),
        fingerprint: install.fingerprint.clone(),
        jump_client: credentials.jump_client,
        token: credentials.token,
    };
    crate::install::write_private(
        &files.config,
        &serde_json::to_vec_pretty(&config).map_err(std::io::Error::other)?,
    )?;
    let by_service = autostart(places, &files, &program)?;
    if !by_service {
        // The agent's log may name sessions: readable by this user only.
        let log = crate::install::open_private(&files.dir.join("agent.log"))?;
        let mut agent = std::process::Command::new(&program);
        agent
            .arg("--jump-config")
            .arg(&files.config)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        detach(&mut agent);
        let agent = agent.spawn()?;
        std::fs::write(files.dir.join("agent.pid"), agent.id().to_string())?;
    }
    Ok(())
}

/// Make the agent start with the user's session: a systemd user unit, started now too when
/// systemd runs it (then `true`).
#[cfg(not(windows))]
fn autostart(places: &Places, files: &JumpFiles, program: &Path) -> std::io::Result<bool> {
    std::fs::create_dir_all(&places.units)?;
    let unit = format!(
        "[Unit]\nDescription=Tandem jump client (unattended remote support)\nAfter=network-online.target\n\n[Service]\nExecStart=\"{}\" --jump-config \"{}\"\nRestart=always\nRestartSec=10\n\n[Install]\nWantedBy=default.target\n",
        program.display(),
        files.config.display()
    );
    std::fs::write(&files.unit, unit)?;
    Ok(std::process::Command::new("systemctl")
        .args(["--user", "enable", "--now", UNIT])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success()))
}

/// Where Windows starts programs at this user's sign-in, and the agent's name there.
#[cfg(windows)]
const RUN_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";
#[cfg(windows)]
const RUN_VALUE: &str = "TandemJumpClient";

/// Make the agent start at this user's every sign-in (the Run key; `reg.exe`, which every
/// Windows has). It is not started by that now (`false`): the caller starts it.
#[cfg(windows)]
fn autostart(_places: &Places, files: &JumpFiles, program: &Path) -> std::io::Result<bool> {
    let command = format!(
        "\"{}\" --jump-config \"{}\"",
        program.display(),
        files.config.display()
    );
    let added = std::process::Command::new("reg")
        .args([
            "add", RUN_KEY, "/v", RUN_VALUE, "/t", "REG_SZ", "/d", &command, "/f",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if !added.success() {
        return Err(std::io::Error::other(
            "the jump client could not be set to start at sign-in",
        ));
    }
    Ok(false)
}

/// Stop the agent starting with the user's session.
fn no_autostart(files: &JumpFiles) -> std::io::Result<()> {
    #[cfg(windows)]
    {
        let _ = files;
        let _ = std::process::Command::new("reg")
            .args(["delete", RUN_KEY, "/v", RUN_VALUE, "/f"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let _ = std::process::Command::new("systemctl")
            .args(["--user", "disable", UNIT])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        match std::fs::remove_file(&files.unit) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Start the agent apart from this process, so it outlives the session's client.
#[cfg(unix)]
fn detach(agent: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    agent.process_group(0);
}

/// Start the agent apart from this process, with no console of its own.
#[cfg(windows)]
fn detach(agent: &mut std::process::Command) {
    use std::os::windows::process::CommandExt;
    /// DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP.
    const DETACHED: u32 = 0x0000_0008 | 0x0000_0200;
    agent.creation_flags(DETACHED);
}

/// Remove the agent's files (J1: unpinned). The running agent exits by itself.
///
/// # Errors
/// When a file exists but cannot be removed.
pub fn uninstall(places: &Places) -> std::io::Result<()> {
    let files = JumpFiles::of(places);
    no_autostart(&files)?;
    match std::fs::remove_file(&files.config) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    // The agent may be what removes it, running from it.
    crate::install::remove_running(&files.dir)
}

/// What ended the agent.
#[derive(Debug, PartialEq, Eq)]
pub enum AgentEnd {
    /// The jump client was unpinned; the agent uninstalled itself.
    Unpinned,
}

/// Run the agent: stay connected, join each unattended session, uninstall when unpinned.
///
/// # Errors
/// When its configuration cannot be read.
pub async fn run_agent(
    config_path: &Path,
    places: Places,
    exe: PathBuf,
) -> Result<AgentEnd, ClientError> {
    let bytes = std::fs::read(config_path)
        .map_err(|e| ClientError::Protocol(format!("{}: {e}", config_path.display())))?;
    let config: JumpConfig =
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))?;
    let endpoint = match &config.fingerprint {
        Some(f) => Endpoint::new(&config.url, f)?,
        None => Endpoint::platform(&config.url)?,
    };
    let api = Api::new(endpoint)?;
    let install = Install {
        url: config.url.clone(),
        fingerprint: config.fingerprint.clone(),
        exe,
        places: Some(places.clone()),
    };
    let mut attempt = 0u32;
    loop {
        match tandem_core::client::open_stream(
            &api.with_token(config.token.clone()),
            "api/v1/jump/agent",
        )
        .await
        {
            Ok(mut socket) => {
                attempt = 0;
                tracing::info!(jump_client = config.jump_client.0, "jump client connected");
                while let Some(message) = socket.next().await {
                    let Ok(Message::Text(text)) = message else {
                        if matches!(message, Ok(Message::Close(_)) | Err(_)) {
                            break;
                        }
                        continue;
                    };
                    match serde_json::from_str::<AgentMessage>(text.as_str()) {
                        Ok(AgentMessage::Session { session, token }) => {
                            tracing::info!(session = session.0, "unattended session started");
                            tokio::spawn(unattended(
                                api.with_token(token),
                                session,
                                install.clone(),
                            ));
                        }
                        Ok(AgentMessage::Unpinned) => return unpinned(&places),
                        Err(e) => {
                            tracing::warn!(error = %e, "unreadable message from the appliance")
                        }
                    }
                }
            }
            Err(ClientError::Refused {
                status: 410 | 401, ..
            }) => return unpinned(&places),
            Err(e) => tracing::warn!(error = %e, "the appliance cannot be reached; trying again"),
        }
        attempt = attempt.saturating_add(1);
        tokio::time::sleep(backoff(&FeedOptions::default(), attempt)).await;
    }
}

fn unpinned(places: &Places) -> Result<AgentEnd, ClientError> {
    tracing::info!("the jump client was unpinned; uninstalling it");
    uninstall(places)
        .map_err(|e| ClientError::Protocol(format!("uninstalling the jump client: {e}")))?;
    Ok(AgentEnd::Unpinned)
}

/// One unattended session, as the customer client with nobody to ask.
async fn unattended(api: Api, session: tandem_core::domain::SessionId, install: Install) {
    // Nobody types at an unattended computer.
    let (_, mut lines) = tokio::sync::mpsc::channel(1);
    let say = session::Say::lines(move |line| tracing::info!(session = session.0, "{line}"));
    match session::run(api, session, Consent::AllowAll, &mut lines, say, install).await {
        Ok(end) => tracing::info!(
            session = session.0,
            ?end,
            "unattended session over; the jump client stays (J1)"
        ),
        Err(e) => tracing::warn!(session = session.0, error = %e, "unattended session stopped"),
    }
}
