//! A customer's session: follows the session's events, answers the technician's requests as
//! the customer decides, chats, and runs the shell while the rules say it is open.
use crate::shell::{self, ShellHost};
use futures_util::StreamExt;
use tandem_core::client::{Api, ClientError};
use tandem_core::domain::{
    Command, ElevationMethod, Event, Participant, PromptKind, ScreenState, SessionId, Tool,
};
use tandem_core::protocol::{ServerMessage, View};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// How the customer answers requests (control, shell, elevation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Consent {
    /// Ask on the terminal each time.
    Ask,
    /// Allow everything (for tests and unattended use the customer chose).
    AllowAll,
    /// Refuse everything.
    DenyAll,
}

/// How the session ended for this client.
#[derive(Debug)]
pub enum Ended {
    /// The client restarted with administrative rights (E2); that process runs the session now.
    Elevated(Box<crate::elevate::Elevated>),
    /// The technician ended it; `uninstall` says the client should remove itself (C1).
    SessionEnded {
        /// Uninstall the customer client (never a jump client).
        uninstall: bool,
    },
    /// The technician disconnected the customer (M1).
    Disconnected,
    /// The customer left.
    Left,
}

/// What the session shows the customer, as lines to print.
pub type Say = Box<dyn Fn(String) + Send + Sync>;

/// How this client installs what technicians deploy (B1): its own address and trust, to
/// write into launchers, and where the user's launchers live.
#[derive(Debug, Clone)]
pub struct Install {
    /// The appliance's address.
    pub url: String,
    /// Its pinned fingerprint, if self-signed.
    pub fingerprint: Option<String>,
    /// This program, which launchers start.
    pub exe: std::path::PathBuf,
    /// Where launchers and configuration go; `None` when the user has no home.
    pub places: Option<crate::button::Places>,
}

fn question(prompt: PromptKind) -> &'static str {
    match prompt {
        PromptKind::UpgradeToFullClient => {
            "The technician asks to switch to the full support client. Allow?"
        }
        PromptKind::Elevation(_) => {
            "The technician asks to run the support client with administrative rights. Allow?"
        }
        PromptKind::Allow(Tool::ViewScreen) => "The technician asks to see your screen. Allow?",
        PromptKind::Allow(Tool::ControlScreen) => {
            "The technician asks to control your screen. Allow?"
        }
        PromptKind::Allow(Tool::Shell) => {
            "The technician asks to open a command shell on this computer. Allow?"
        }
    }
}

/// Answer a request as the customer decided: at once, or by asking (then the question waits
/// for the customer's next line, which is returned).
async fn answer(
    api: &Api,
    session: SessionId,
    consent: Consent,
    prompt: PromptKind,
    say: &Say,
) -> Result<Option<PromptKind>, ClientError> {
    match consent {
        Consent::AllowAll | Consent::DenyAll => {
            let accepted = consent == Consent::AllowAll;
            api.command(&Command::AnswerPrompt {
                session,
                prompt,
                accepted,
            })
            .await?;
            Ok(None)
        }
        Consent::Ask => {
            say(format!("{} [y/N]", question(prompt)));
            Ok(Some(prompt))
        }
    }
}

/// Restart as root with these credentials and hand the session over; on failure, say why,
/// decline the request, and carry on as before (E3).
async fn elevate(
    api: &Api,
    session: SessionId,
    consent: Consent,
    prompt: PromptKind,
    install: &Install,
    (username, password): (String, String),
    say: &Say,
) -> Result<Option<crate::elevate::Elevated>, ClientError> {
    say("Restarting the support client with administrative rights…".into());
    let places = install.places.clone();
    let dir = places
        .as_ref()
        .map_or_else(std::env::temp_dir, crate::install::own_dir);
    let resume = crate::elevate::Resume {
        url: install.url.clone(),
        fingerprint: install.fingerprint.clone(),
        token: api.token().unwrap_or_default().to_owned(),
        session,
        prompt,
        consent,
        install_dir: places.as_ref().map(crate::install::own_dir),
        places,
    };
    match crate::elevate::restart_as_root(&resume, &install.exe, &dir, &username, &password).await {
        Ok(elevated) => Ok(Some(elevated)),
        Err(e) => {
            say(format!(
                "Elevation failed: {e}. The session continues without administrative rights."
            ));
            api.command(&Command::AnswerPrompt {
                session,
                prompt,
                accepted: false,
            })
            .await?;
            Ok(None)
        }
    }
}

/// Install the agent of the jump client pinned on this computer, unless it is there already.
async fn pin(
    api: &Api,
    install: &Install,
    jump_client: tandem_core::domain::JumpClientId,
    say: &Say,
) {
    let Some(places) = &install.places else {
        say("The jump client could not be installed: this user has no home directory.".into());
        return;
    };
    if crate::jump::installed(places, jump_client) {
        return;
    }
    let installed = match api.jump_credentials().await {
        Ok(credentials) => {
            crate::jump::install(places, install, credentials).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    match installed {
        Ok(()) => say("This computer is now pinned: your technician's team can reach it later for unattended support. Removing it is up to them (Unpin).".into()),
        Err(e) => say(format!("The jump client could not be installed: {e}")),
    }
}

/// Install the support button deployed from this session (B1), unless it is there already: its
/// secret is handed to this client once, and only to this session's client.
async fn deploy_button(
    api: &Api,
    install: &Install,
    button: &tandem_core::domain::SupportButton,
    say: &Say,
) {
    let Some(places) = &install.places else {
        say("The support button could not be installed: this user has no home directory.".into());
        return;
    };
    if crate::button::installed(places, button.id) {
        return;
    }
    let installed = match api.button_secret().await {
        Ok(given) if given.button == button.id => crate::button::install(
            places,
            &install.exe,
            &install.url,
            install.fingerprint.as_deref(),
            button,
            &given.secret,
        )
        .map_err(|e| e.to_string()),
        Ok(_) => Err("the appliance named another button".into()),
        Err(e) => Err(e.to_string()),
    };
    match installed {
        Ok(()) => say(format!(
            "\"{}\" is now in your applications: it starts a support session directly.",
            button.name
        )),
        Err(e) => say(format!("The support button could not be installed: {e}")),
    }
}

/// Share the screen; a computer without a display keeps its session and says why not.
async fn share_screen(
    api: &Api,
    session: SessionId,
    state: &tokio::sync::watch::Receiver<ScreenState>,
    say: &Say,
) -> Option<crate::screen::ScreenHost> {
    match crate::screen::start(api, session, state.clone()).await {
        Ok(host) => {
            say("The technician can see your screen.".into());
            Some(host)
        }
        Err(e) => {
            say(format!("Your screen could not be shared: {e}"));
            None
        }
    }
}

async fn report_system_info(api: &Api) -> Result<(), ClientError> {
    let info = tokio::task::spawn_blocking(crate::sysinfo::collect)
        .await
        .map_err(|e| ClientError::Protocol(e.to_string()))?;
    api.report_system_info(&info).await
}

/// Follow the session until it ends. `lines` carries what the customer types: chat, or the
/// answer to a question.
///
/// # Errors
/// When the appliance cannot be reached or refuses.
pub async fn run(
    api: Api,
    session: SessionId,
    consent: Consent,
    lines: &mut mpsc::Receiver<String>,
    say: Say,
    install: Install,
) -> Result<Ended, ClientError> {
    let token = api
        .token()
        .ok_or_else(|| ClientError::Protocol("not joined".into()))?
        .to_owned();
    let url = api.endpoint().events_url(&token, None)?;
    let connector = tokio_tungstenite::Connector::Rustls(api.tls());
    let (mut feed, _) = tokio_tungstenite::connect_async_tls_with_config(
        url.as_str(),
        None,
        false,
        Some(connector),
    )
    .await
    .map_err(|e| ClientError::Network(e.to_string()))?;
    let mut shell: Option<ShellHost> = None;
    let mut screen: Option<crate::screen::ScreenHost> = None;
    let (screen_state, screen_watch) = tokio::sync::watch::channel(ScreenState::Off);
    let mut waiting: Option<PromptKind> = None;
    // Elevation (E3): the request, the technician's credentials, and a password being typed.
    let mut elevation: Option<PromptKind> = None;
    let mut credentials: Option<(String, String)> = None;
    let mut typing_password: Option<PromptKind> = None;
    let mut typing = true;
    let mut names = std::collections::BTreeMap::new();
    loop {
        tokio::select! {
                    line = lines.recv(), if typing => {
                        // No more typing (the terminal closed, or there never was one): the
                        // session goes on; only "/quit" leaves it.
                        let Some(line) = line else { typing = false; continue };
                        if let Some(prompt) = typing_password.take() {
                            let user = crate::elevate::current_user().await;
                            if let Some(e) = elevate(&api, session, consent, prompt, &install, (user, line), &say).await? {
                                return Ok(Ended::Elevated(Box::new(e)));
                            }
                        } else if let Some(prompt @ PromptKind::Elevation(_)) = waiting.filter(|_| matches!(line.trim(), "y" | "Y" | "yes" | "Yes")) {
                            waiting = None;
                            say(format!("Type the password of {} (it goes to sudo on this computer, nowhere else):", crate::elevate::current_user().await));
                            typing_password = Some(prompt);
                        } else if let Some(prompt) = waiting.take() {
                            let accepted = matches!(line.trim(), "y" | "Y" | "yes" | "Yes");
                            api.command(&Command::AnswerPrompt { session, prompt, accepted }).await?;
                        } else if line.trim() == "/quit" {
                            api.command(&Command::LeaveSession { session }).await?;
                            return Ok(Ended::Left);
                        } else if !line.trim().is_empty() {
                            api.command(&Command::SendChat { session, text: line }).await?;
                        }
                    }
                    message = feed.next() => {
                        let text = match message {
                            Some(Ok(Message::Text(text))) => text,
        Some(Ok(Message::Close(frame))) => return Err(ClientError::Network(format!("the appliance closed the connection ({frame:?})"))),
                            Some(Err(e)) => return Err(ClientError::Network(e.to_string())),
                            None => return Err(ClientError::Network("the appliance closed the connection".into())),
                            Some(Ok(_)) => continue,
                        };
                        match serde_json::from_str::<ServerMessage>(text.as_str()) {
                            Ok(ServerMessage::Snapshot(snapshot)) => {
                                if let View::Customer { session: view } = snapshot.view {
                                    names = view.technicians.clone();
                                    // Taken already if a technician was quicker than this connection.
                                    match view.session.owner.and_then(|o| names.get(&o)) {
                                        Some(owner) => say(format!("Connected to session {}. {owner} is helping you.", view.session.id)),
                                        None => say(format!("Connected to session {}. Waiting for a technician…", view.session.id)),
                                    }
                                    // Requests made before this client connected wait in the snapshot.
                                    for prompt in view.session.prompts.keys() {
                                        if let PromptKind::Elevation(ElevationMethod::ProvideCredentials) = prompt {
                                            // As for a live request: a customer who denied everything is never elevated.
                                            if consent != Consent::DenyAll {
                                                elevation = Some(*prompt);
                                            }
                                        } else {
                                            waiting = answer(&api, session, consent, *prompt, &say).await?.or(waiting);
                                        }
                                    }
                                    if view.session.shell && shell.is_none() {
                                        shell = Some(shell::start(&api, session).await?);
                                    }
                                    screen_state.send_replace(view.session.screen);
                                    if view.session.screen != ScreenState::Off && screen.is_none() {
                                        screen = share_screen(&api, session, &screen_watch, &say).await;
                                    }
                                    // Reported once on connecting (a request made earlier is
                                    // not kept), and again whenever a technician asks.
                                    report_system_info(&api).await?;
                                    // A pin made before this client connected is installed now (J1).
                                    if let Some(jump_client) = &view.jump_client {
                                        pin(&api, &install, jump_client.id, &say).await;
                                    }
                                    if let Some(button) = &view.support_button {
                                        deploy_button(&api, &install, button, &say).await;
                                    }
                                }
                            }
                            Ok(ServerMessage::Event(published)) => match published.event {
                                Event::PromptRaised { prompt: prompt @ PromptKind::Elevation(ElevationMethod::ProvideCredentials), .. } if consent != Consent::DenyAll => {
                                    // The technician's credentials arrive beside the request, in either order.
                                    elevation = Some(prompt);
                                    if let Some(given) = credentials.take()
                                        && let Some(e) = elevate(&api, session, consent, prompt, &install, given, &say).await?
                                    {
                                        return Ok(Ended::Elevated(Box::new(e)));
                                    }
                                }
                                Event::PromptRaised { prompt: prompt @ PromptKind::Elevation(ElevationMethod::PromptCustomer), .. } if consent == Consent::AllowAll => {
                                    say("The technician asked for administrative rights, which need your password; this client answers without asking, so it declines.".into());
                                    api.command(&Command::AnswerPrompt { session, prompt, accepted: false }).await?;
                                }
                                Event::PromptRaised { prompt, .. } => {
                                    waiting = answer(&api, session, consent, prompt, &say).await?.or(waiting);
                                }
                                Event::ShellChanged { open: true, .. } if shell.is_some() => {}
                                Event::ShellChanged { open: true, .. } => {
                                    shell = Some(shell::start(&api, session).await?);
                                    say("The technician has a command shell on this computer.".into());
                                }
                                Event::ShellChanged { open: false, .. } if shell.is_some() => {
                                    shell = None;
                                    say("The command shell is closed.".into());
                                }
                                Event::ScreenChanged { screen: now, .. } => {
                                    screen_state.send_replace(now);
                                    match (now, screen.is_some()) {
                                        (ScreenState::Off, true) => {
                                            screen = None;
                                            say("Screen sharing has stopped.".into());
                                        }
                                        (ScreenState::Off, false) | (_, true) => {}
                                        (_, false) => {
                                            screen = share_screen(&api, session, &screen_watch, &say).await;
                                        }
                                    }
                                    if now == ScreenState::Control {
                                        say("The technician can now control your mouse and keyboard.".into());
                                    }
                                }
                                Event::SystemInfoViewed { .. } => report_system_info(&api).await?,
                                Event::SupportButtonDeployed { button, .. } => deploy_button(&api, &install, &button, &say).await,
                                Event::JumpClientPinned { jump_client, .. } => pin(&api, &install, jump_client.id, &say).await,
                                Event::SupportButtonRemoved { button, .. } => {
                                    if let Some(places) = &install.places {
                                        match crate::button::uninstall(places, button) {
                                            Ok(()) => say("The support button was removed.".into()),
                                            Err(e) => say(format!("The support button could not be removed: {e}")),
                                        }
                                    }
                                }
                                Event::SessionAccepted { owner, .. } => {
                                    let refreshed = api.snapshot().await?;
                                    if let View::Customer { session: view } = refreshed.view {
                                        names = view.technicians;
                                    }
                                    say(format!("{} is helping you.", names.get(&owner).map_or("A technician", String::as_str)));
                                }
                                Event::ChatPosted { from, text, .. } if from != Participant::Customer => {
                                    let who = match from {
                                        Participant::Technician(t) => names.get(&t).cloned().unwrap_or_else(|| "Technician".into()),
                                        _ => "Guest".into(),
                                    };
                                    say(format!("[{who}] {text}"));
                                }
                                Event::SessionEnded { uninstall_customer_client, .. } => {
                                    return Ok(Ended::SessionEnded { uninstall: uninstall_customer_client });
                                }
                                Event::CustomerDisconnected { .. } => return Ok(Ended::Disconnected),
                                _ => {}
                            },
                            Ok(ServerMessage::Direct { body }) if body["kind"] == "elevation_credentials" => {
                                let given = (body["username"].as_str().unwrap_or_default().to_owned(), body["password"].as_str().unwrap_or_default().to_owned());
                                match elevation.take() {
                                    Some(prompt) => if let Some(e) = elevate(&api, session, consent, prompt, &install, given, &say).await? {
                                        return Ok(Ended::Elevated(Box::new(e)));
                                    },
                                    None => credentials = Some(given),
                                }
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "unreadable message from the appliance"),
                        }
                    }
                }
    }
}
