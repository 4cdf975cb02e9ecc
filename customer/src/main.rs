//! `tandem-customer`: join a support session with the key a technician gave you.
// On Windows a double-clicked download opens its window and no console; run from a console,
// the terminal client attaches to it (`windows::attach_console`).
#![cfg_attr(all(windows, feature = "window"), windows_subsystem = "windows")]
use clap::Parser;
use std::process::ExitCode;
use tandem_core::client::{Api, ClientError, Endpoint};
use tandem_core::domain::{ClientMode, Command, CustomerInfo, SessionId};
use tandem_customer::button::Places;
use tandem_customer::elevate::{READY, Resume};
use tandem_customer::session::{self, Consent, Ended};
use tokio::io::AsyncWriteExt;

#[derive(Parser, Debug)]
#[command(
    name = "tandem-customer",
    version,
    about = "Join a Tandem support session"
)]
struct Cli {
    /// The appliance's address, e.g. https://support.example.com/ (a downloaded client carries
    /// its own and needs none of these options).
    #[arg(long, env = "TANDEM_URL", requires = "key")]
    url: Option<String>,
    /// The SHA-256 fingerprint of a self-signed appliance's certificate; without it, the
    /// system's trust store decides.
    #[arg(long, env = "TANDEM_FINGERPRINT")]
    fingerprint: Option<String>,
    /// The session key the technician gave you.
    #[arg(long, requires = "url", conflicts_with = "button_config")]
    key: Option<String>,
    /// The session link the technician sent (`https://…/customer?key=…`): the appliance and
    /// the key in one.
    #[arg(long, conflicts_with_all = ["key", "button_config", "url"])]
    link: Option<String>,
    /// Run as a jump client's background agent (what its service runs, J1).
    #[arg(long, conflicts_with_all = ["key", "button_config"])]
    jump_config: Option<std::path::PathBuf>,
    /// Carry on a session with administrative rights (what elevation starts through sudo, E2).
    #[arg(long, conflicts_with_all = ["key", "button_config", "jump_config"])]
    resume: Option<std::path::PathBuf>,
    /// Carry on a session elevated, taking it over through this pipe (what elevation starts on
    /// Windows, E2; `name:secret`).
    #[cfg(windows)]
    #[arg(long, hide = true, conflicts_with_all = ["key", "button_config", "jump_config", "resume"])]
    handover: Option<String>,
    /// Ask Windows for the elevated token, then hand over through this pipe (what Provide
    /// Credentials starts as the technician's account, E3).
    #[cfg(windows)]
    #[arg(long, hide = true, conflicts_with_all = ["key", "button_config", "jump_config", "resume", "handover"])]
    elevate_then: Option<String>,
    /// Start a session with a support button's configuration (what its launcher runs, B1).
    #[arg(long)]
    button_config: Option<std::path::PathBuf>,
    /// Your name, as the technician sees it.
    #[arg(long, default_value = "Customer")]
    name: String,
    /// Start in click-to-chat mode: chat only, until you accept the full client (E1).
    #[arg(long)]
    click_to_chat: bool,
    /// Answer every request of the technician with yes, without asking (tests, or your choice).
    #[arg(long, conflicts_with = "deny_all")]
    allow_all: bool,
    /// Answer every request with no.
    #[arg(long)]
    deny_all: bool,
    /// Stay in the terminal even where a desktop could show the window (servers, tests).
    #[arg(long, env = "TANDEM_TERMINAL", value_parser = clap::builder::FalseyValueParser::new())]
    terminal: bool,
}

/// A session joined: how to reach it, and what this process installs.
struct Joined {
    api: Api,
    session: SessionId,
    consent: Consent,
    install: session::Install,
    /// For an elevated process: the user's installation to remove at End.
    install_dir: Option<std::path::PathBuf>,
    /// The session key it was joined with: a restart with the same key rejoins (`rejoin`).
    key: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    #[cfg(windows)]
    if let Some(rendezvous) = &cli.elevate_then {
        return elevate_then(rendezvous);
    }
    let places = Places::for_user();
    // A session's customer client runs from its own installation, which End removes (C1): it
    // moves there first, before any window or thread (it starts again from there).
    let joining = cli.jump_config.is_none() && cli.resume.is_none() && !handing_over(&cli);
    if joining && let Some(places) = &places {
        tandem_customer::install::relocate(places);
    }
    // The window is for the customer's double-click: on a download (no argument), or on
    // Windows a support button's shortcut. Started with a key or a link (or on Linux a
    // launcher's configuration, which runs in a terminal), the client keeps the terminal it was
    // given.
    let double_clicked =
        cli.key.is_none() && cli.link.is_none() && (cli.button_config.is_none() || cfg!(windows));
    #[cfg(feature = "window")]
    if joining && double_clicked && !cli.terminal && tandem_customer::window::available() {
        return windowed(cli, places);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    #[cfg(windows)]
    tandem_customer::windows::attach_console();
    let (say, lines) = terminal();
    let code = runtime.block_on(start(cli, places, say, lines));
    // The terminal reader may still wait for a line that never comes: do not wait for it.
    runtime.shutdown_background();
    code
}

/// The session in a window (issue 27): the window on this thread, the session on another.
#[cfg(feature = "window")]
fn windowed(cli: Cli, places: Option<Places>) -> ExitCode {
    let code = std::sync::Arc::new(std::sync::Mutex::new(ExitCode::SUCCESS));
    let kept = std::sync::Arc::clone(&code);
    let shown = tandem_customer::window::run(move |channels| {
        let updates = channels.updates.clone();
        let say = session::Say::new(move |shown| {
            let _ = updates.send(tandem_customer::window::Update::Shown(shown));
        });
        let ended = match tokio::runtime::Runtime::new() {
            Ok(runtime) => {
                let ended = runtime.block_on(start(cli, places, say, channels.lines));
                runtime.shutdown_background();
                ended
            }
            Err(e) => {
                say.show(session::Shown::Failed(format!("Cannot start: {e}")));
                ExitCode::FAILURE
            }
        };
        if let Ok(mut code) = kept.lock() {
            *code = ended;
        }
    });
    if let Err(e) = shown {
        eprintln!("The window could not be shown ({e}); start with --terminal.");
        return ExitCode::FAILURE;
    }
    code.lock().map_or(ExitCode::FAILURE, |c| *c)
}

/// The session in the terminal: what it shows printed, what the customer types read.
#[allow(clippy::print_stdout)]
fn terminal() -> (session::Say, tokio::sync::mpsc::Receiver<String>) {
    let (lines_tx, lines) = tokio::sync::mpsc::channel(16);
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) => {
                    if lines_tx.blocking_send(line).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "standard input failed");
                    break;
                }
            }
        }
        tracing::info!("standard input closed");
    });
    // Every line shown may hold text from the appliance (chat, names): printable only.
    let say = session::Say::lines(|line| println!("{}", tandem_customer::text::printable(&line)));
    (say, lines)
}

/// Whether this process takes a session over from an unprivileged one (Windows' elevation).
fn handing_over(cli: &Cli) -> bool {
    #[cfg(windows)]
    {
        cli.handover.is_some()
    }
    #[cfg(not(windows))]
    {
        let _ = cli;
        false
    }
}

/// Started as the technician's administrator account (Provide Credentials on Windows): ask
/// Windows for the elevated token by starting the elevated copy, and end as it ends.
#[cfg(windows)]
fn elevate_then(rendezvous: &str) -> ExitCode {
    let started =
        tandem_customer::elevate::uac::run_elevated(&exe(), &format!("--handover {rendezvous}"));
    let exited = match started {
        Ok(started) => tokio::runtime::Runtime::new()
            .ok()
            .and_then(|runtime| runtime.block_on(started.exited())),
        Err(e) => {
            tracing::warn!(error = %e, "the elevated client did not start");
            // The unprivileged client reads a refusal from this exit code.
            Some(
                if matches!(e, tandem_customer::elevate::ElevationError::Refused(_)) {
                    1223
                } else {
                    1
                },
            )
        }
    };
    ExitCode::from(u8::try_from(exited.unwrap_or(1)).unwrap_or(1))
}

async fn start(
    cli: Cli,
    places: Option<Places>,
    say: session::Say,
    lines: tokio::sync::mpsc::Receiver<String>,
) -> ExitCode {
    if let Some(config) = &cli.jump_config {
        return agent(config, places).await;
    }
    #[cfg(windows)]
    if let Some(rendezvous) = &cli.handover {
        return match take_over(rendezvous).await {
            Ok((joined, say, lines)) => {
                say.line(READY.into());
                follow(joined, say, lines).await
            }
            Err(message) => {
                say.show(session::Shown::Failed(message));
                ExitCode::FAILURE
            }
        };
    }
    let joined = match &cli.resume {
        Some(file) => resume(file).await.inspect(|_| say.line(READY.into())),
        None => join(&cli, places.clone()).await,
    };
    let code = match joined {
        Ok(joined) => follow(joined, say, lines).await,
        Err(message) => {
            say.show(session::Shown::Failed(message));
            ExitCode::FAILURE
        }
    };
    // However it ended, this run's installation goes with it (one killed outright is swept by
    // the next run). Support buttons and jump clients have their own, which stay.
    if cli.resume.is_none()
        && !handing_over(&cli)
        && let Some(places) = &places
    {
        let _ = tandem_customer::install::uninstall(places);
    }
    code
}

fn exe() -> std::path::PathBuf {
    std::env::current_exe().unwrap_or_else(|_| "tandem-customer".into())
}

/// The jump client's background agent (J1).
async fn agent(config: &std::path::Path, places: Option<Places>) -> ExitCode {
    let Some(places) = places else {
        eprintln!("The jump client needs a home directory.");
        return ExitCode::FAILURE;
    };
    match tandem_customer::jump::run_agent(config, places, exe()).await {
        Ok(end) => {
            tracing::info!(?end, "jump client agent stopped");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("The jump client stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Join with a session key or link, or through a support button.
async fn join(cli: &Cli, places: Option<Places>) -> Result<Joined, String> {
    // This computer: systemd's machine id on Linux; on Windows its name (what its owner and
    // the technician know it by).
    let machine = std::fs::read_to_string("/etc/machine-id")
        .map(|s| s.trim().to_owned())
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| cli.name.clone());
    let customer = CustomerInfo {
        name: cli.name.clone(),
        machine,
        platform: tandem_customer::platform(),
        mode: if cli.click_to_chat {
            ClientMode::ClickToChat
        } else {
            ClientMode::Full
        },
    };
    let (url, fingerprint, button) = match &cli.button_config {
        Some(path) => {
            let config = tandem_customer::button::read(path)
                .map_err(|e| format!("This support button cannot be used: {e}"))?;
            (
                config.url,
                config.fingerprint,
                Some((config.button, config.secret)),
            )
        }
        None => match &cli.link {
            Some(link) => (from_link(link)?.0, cli.fingerprint.clone(), None),
            None => (
                cli.url.clone().unwrap_or_default(),
                cli.fingerprint.clone(),
                None,
            ),
        },
    };
    let mut key = match &cli.link {
        Some(link) => Some(from_link(link)?.1),
        None => cli.key.clone(),
    };
    // Nothing given: a client downloaded from the customer's page carries all it needs.
    let downloaded = match (&button, &key) {
        (None, None) => Some(
            tandem_customer::downloaded::detect()?.ok_or_else(|| {
                "Open the link your technician sent you and download the support client from that page (or start this program with --link).".to_owned()
            })?,
        ),
        _ => None,
    };
    let (url, fingerprint) = match &downloaded {
        Some(d) => {
            // The credential also names what a restart rejoins with.
            key = Some(d.credential.clone());
            (d.carried.url.clone(), d.carried.fingerprint.clone())
        }
        None => (url, fingerprint),
    };
    let api = endpoint(&url, fingerprint.as_deref()).map_err(|e| format!("Could not join: {e}"))?;
    let consent = if cli.allow_all {
        Consent::AllowAll
    } else if cli.deny_all {
        Consent::DenyAll
    } else {
        Consent::Ask
    };
    let install = session::Install {
        url: url.clone(),
        fingerprint: fingerprint.clone(),
        exe: exe(),
        places: places.clone(),
    };
    // Started again with the key of a session this computer joined: rejoin it if it still
    // waits for this computer.
    if button.is_none()
        && let (Some(key), Some(places)) = (&key, &places)
        && let Some(saved) = tandem_customer::rejoin::find(places, key)
        // Only to the appliance it came from, trusted the same way: a token is never shown to
        // another server that happens to be given the same key.
        && saved.url == url
        && saved.fingerprint == fingerprint
    {
        let api = with_proof(api.with_token(saved.token.clone()), saved.proof.as_deref());
        match api.snapshot().await {
            Ok(_) => {
                return Ok(Joined {
                    api,
                    session: saved.session,
                    consent,
                    install,
                    install_dir: None,
                    key: Some(key.clone()),
                });
            }
            Err(ClientError::Refused {
                status: 401 | 403, ..
            }) => tandem_customer::rejoin::forget(places, key),
            Err(e) => return Err(format!("Could not rejoin the session: {e}")),
        }
    }
    let joined = match (button, &key, &downloaded) {
        (Some((button, secret)), _, _) => api.start_from_button(button, &secret, &customer).await,
        (None, _, Some(d)) => {
            api.join_full_client(&d.credential, &customer.machine, customer.platform)
                .await
        }
        (None, Some(key), None) => api.join(key, &customer).await,
        (None, None, None) => Err(ClientError::Address("a session key is needed".into())),
    };
    let (api, joined) = joined.map_err(|e| format!("Could not join: {e}"))?;
    if let (Some(key), Some(places), Some(token)) = (&key, &places, api.token()) {
        let saved = tandem_customer::rejoin::Saved {
            url,
            fingerprint,
            session: joined.session,
            token: token.to_owned(),
            proof: api.proof().map(tandem_core::client::ProofKey::to_text),
        };
        if let Err(e) = tandem_customer::rejoin::save(places, key, &saved) {
            tracing::warn!(error = %e, "a restart of this client could not rejoin the session");
        }
    }
    Ok(Joined {
        api,
        session: joined.session,
        consent,
        install,
        install_dir: None,
        key,
    })
}

/// The appliance's address and the session key from a session link.
fn from_link(link: &str) -> Result<(String, String), String> {
    let invalid = |e: url::ParseError| format!("This session link is not valid: {e}");
    let parsed = url::Url::parse(link.trim()).map_err(invalid)?;
    let key = parsed
        .query_pairs()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.into_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| "This session link has no session key".to_owned())?;
    Ok((parsed.join("/").map_err(invalid)?.to_string(), key))
}

fn endpoint(url: &str, fingerprint: Option<&str>) -> Result<Api, ClientError> {
    match fingerprint {
        Some(f) => Endpoint::new(url, f),
        None => Endpoint::platform(url),
    }
    .and_then(Api::new)
}

/// The connection proving the key its token is bound to, when one was kept (issue 26).
fn with_proof(api: Api, kept: Option<&str>) -> Api {
    match kept.map(tandem_core::client::ProofKey::from_text) {
        Some(Ok(key)) => api.with_proof(key),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "the session's key could not be read; the appliance will refuse this client");
            api
        }
        None => api,
    }
}

/// Carry on a session as root after elevation (E2), from the file sudo's copy was given.
async fn resume(file: &std::path::Path) -> Result<Joined, String> {
    let resume = Resume::take(file).map_err(|e| format!("Cannot carry on the session: {e}"))?;
    resumed(resume).await
}

/// Take a session over from the unprivileged client through its pipe (Windows, E2): the
/// session, then the customer's lines both ways over the same pipe.
#[cfg(windows)]
async fn take_over(
    argument: &str,
) -> Result<(Joined, session::Say, tokio::sync::mpsc::Receiver<String>), String> {
    use tandem_customer::elevate::handover::{self, Rendezvous};
    use tokio::io::AsyncBufReadExt as _;
    let rendezvous = Rendezvous::parse(argument)
        .ok_or_else(|| "Cannot carry on the session: a damaged hand-over".to_owned())?;
    let (resume, pipe) = handover::take(&rendezvous)
        .await
        .map_err(|e| format!("Cannot carry on the session: {e}"))?;
    let (read, mut write) = tokio::io::split(pipe);
    let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(line) = out_rx.recv().await {
            if write
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let (lines_tx, lines) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        let mut from = tokio::io::BufReader::new(read).lines();
        while let Ok(Some(line)) = from.next_line().await {
            if lines_tx.send(line).await.is_err() {
                break;
            }
        }
    });
    let say = session::Say::lines(move |line| {
        let _ = out_tx.send(tandem_customer::text::printable(&line));
    });
    Ok((resumed(resume).await?, say, lines))
}

/// Carry on a session with administrative rights: answer the request as allowed.
async fn resumed(resume: Resume) -> Result<Joined, String> {
    let api = endpoint(&resume.url, resume.fingerprint.as_deref())
        .map_err(|e| format!("Cannot carry on the session: {e}"))?
        .with_token(resume.token.clone());
    let api = with_proof(api, resume.proof.as_deref());
    api.command(&Command::AnswerPrompt {
        session: resume.session,
        prompt: resume.prompt,
        accepted: true,
    })
    .await
    .map_err(|e| format!("Cannot carry on the session: {e}"))?;
    Ok(Joined {
        api,
        session: resume.session,
        consent: resume.consent,
        install: session::Install {
            url: resume.url,
            fingerprint: resume.fingerprint,
            exe: exe(),
            places: resume.places,
        },
        install_dir: resume.install_dir,
        key: None,
    })
}

/// Follow the session until it ends, with what the customer types.
async fn follow(
    joined: Joined,
    say: session::Say,
    mut lines: tokio::sync::mpsc::Receiver<String>,
) -> ExitCode {
    let shown = say.clone();
    let places = joined.install.places.clone();
    let key = joined.key.clone();
    let (leaver, session_id) = (joined.api.clone(), joined.session);
    // Ctrl+C, a closed terminal or window (SIGHUP) and SIGTERM leave the session at once, as
    // "/quit" does: the technician sees the customer leave instead of waiting 180 s for a
    // computer that is gone (issue 26).
    let outcome = tokio::select! {
        outcome = session::run(
            joined.api,
            joined.session,
            joined.consent,
            &mut lines,
            say,
            joined.install,
        ) => outcome,
        why = tandem_customer::stop::requested() => {
            shown.line(format!("Leaving the session ({why})."));
            let leave = tandem_core::domain::Command::LeaveSession { session: session_id };
            if let Err(e) = tokio::time::timeout(std::time::Duration::from_secs(3), leaver.command(&leave))
                .await
                .unwrap_or_else(|_| Err(tandem_core::client::ClientError::Network("no answer".into())))
            {
                tracing::info!(error = %e, "leaving could not be said; the session stops waiting at its deadline");
            }
            Ok(Ended::Left)
        }
    };
    // Over for this computer, unless it handed the session to an elevated process or stopped
    // on an error (a restart may still rejoin while the session waits).
    if let (Some(key), Some(places)) = (&key, &places)
        && matches!(
            outcome,
            Ok(Ended::SessionEnded { .. } | Ended::Disconnected | Ended::Left)
                | Err(ClientError::Refused {
                    status: 401 | 403,
                    ..
                })
        )
    {
        tandem_customer::rejoin::forget(places, key);
    }
    match outcome {
        Ok(Ended::SessionEnded { uninstall }) => {
            shown.line("The technician ended the session.".to_owned());
            // C1: the customer client uninstalls itself; support buttons and jump clients have
            // installations of their own and stay (B1, J1).
            let removed = match (uninstall, joined.install_dir, &places) {
                (false, _, _) | (true, None, None) => Ok(false),
                (true, Some(dir), _) => std::fs::remove_dir_all(dir).map(|()| true),
                (true, None, Some(places)) => tandem_customer::install::uninstall(places),
            };
            match removed {
                Ok(true) => {
                    shown.line("The support client has been removed from this computer.".to_owned())
                }
                Ok(false) => shown.line("This support client is closing.".to_owned()),
                Err(e) => shown.show(session::Shown::Failed(format!(
                    "The support client could not remove itself: {e}"
                ))),
            }
            ExitCode::SUCCESS
        }
        Ok(Ended::Elevated(elevated)) => handed_over(*elevated, lines, &shown).await,
        Ok(Ended::Disconnected) => {
            shown.line("The technician disconnected this computer.".to_owned());
            ExitCode::SUCCESS
        }
        Ok(Ended::Left) => {
            tracing::info!("the customer left the session");
            // Leaving is the end of this session for this computer: the copy installed for it
            // goes as at the technician's End (C1); a support button's or jump client's stays.
            let removed = match (joined.install_dir, &places) {
                (Some(dir), _) => std::fs::remove_dir_all(dir).map(|()| true),
                (None, Some(places)) => tandem_customer::install::uninstall(places),
                (None, None) => Ok(false),
            };
            match removed {
                Ok(true) => shown
                    .line("You left the session; the support client has been removed.".to_owned()),
                Ok(false) => shown.line("You left the session.".to_owned()),
                Err(e) => shown.show(session::Shown::Failed(format!(
                    "The support client could not remove itself: {e}"
                ))),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            shown.show(session::Shown::Failed(format!("The session stopped: {e}")));
            ExitCode::FAILURE
        }
    }
}

/// After elevation, the elevated process runs the session; this one passes the customer's
/// typing to it and what it says back, until it ends.
#[allow(clippy::print_stdout)]
async fn handed_over(
    elevated: tandem_customer::elevate::Elevated,
    mut lines: tokio::sync::mpsc::Receiver<String>,
    shown: &session::Say,
) -> ExitCode {
    let tandem_customer::elevate::Elevated {
        ended,
        mut stdin,
        mut stdout,
    } = elevated;
    shown.line("The support client now runs with administrative rights.".into());
    tokio::spawn(async move {
        while let Some(line) = lines.recv().await {
            if stdin
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    });
    while let Ok(Some(line)) = stdout.next_line().await {
        shown.line(line);
    }
    if ended.await {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
