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

/// What the session shows the customer: the terminal prints it as lines, the window
/// (`crate::window`) draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Something that happened, or a chat line, as one line of text.
    Line(String),
    /// Why the client stops or could not start (the terminal prints it on standard error).
    Failed(String),
    /// Who is helping now.
    Helper(String),
    /// A request waiting for the customer: the next line answers it ("y" or anything else).
    Asked {
        /// What is asked.
        prompt: PromptKind,
        /// The question, in words.
        question: &'static str,
    },
    /// The customer's password is wanted for elevation (E3): the next line is it.
    Password {
        /// Whose password.
        user: String,
    },
    /// What the technician has open on this computer now.
    Tools {
        /// The screen: off, seen, or controlled.
        screen: ScreenState,
        /// Whether a command shell is open.
        shell: bool,
    },
}

/// Where what the session shows goes.
#[derive(Clone)]
pub struct Say(std::sync::Arc<dyn Fn(Shown) + Send + Sync>);

impl std::fmt::Debug for Say {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Say")
    }
}

impl Say {
    /// Everything shown goes to `show`.
    #[must_use]
    pub fn new(show: impl Fn(Shown) + Send + Sync + 'static) -> Self {
        Self(std::sync::Arc::new(show))
    }

    /// Shown as lines of text (the terminal, a log): requests as questions to answer with a
    /// line; what is open is said by the lines that open and close it.
    #[must_use]
    pub fn lines(print: impl Fn(String) + Send + Sync + 'static) -> Self {
        Self::new(move |shown| match shown {
            Shown::Line(line) => print(line),
            Shown::Failed(why) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("{}", crate::text::printable(&why));
                }
            }
            Shown::Helper(name) => print(format!("{name} is helping you.")),
            Shown::Asked { question, .. } => print(format!("{question} [y/N]")),
            Shown::Password { user } => print(format!(
                "Type the password of {user} (it goes to sudo on this computer, nowhere else):"
            )),
            Shown::Tools { .. } => {}
        })
    }

    /// Show something.
    pub fn show(&self, shown: Shown) {
        (self.0)(shown);
    }

    /// Show a line.
    pub fn line(&self, line: String) {
        self.show(Shown::Line(line));
    }
}

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
            // An elevation is accepted only by the elevated process itself, once it runs.
            let accepted =
                consent == Consent::AllowAll && !matches!(prompt, PromptKind::Elevation(_));
            api.command(&Command::AnswerPrompt {
                session,
                prompt,
                accepted,
            })
            .await?;
            Ok(None)
        }
        Consent::Ask => {
            say.show(Shown::Asked {
                prompt,
                question: question(prompt),
            });
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
    say.line("Restarting the support client with administrative rights…".into());
    let places = install.places.clone();
    let dir = places
        .as_ref()
        .map_or_else(std::env::temp_dir, crate::install::own_dir);
    let resume = crate::elevate::Resume {
        url: install.url.clone(),
        fingerprint: install.fingerprint.clone(),
        token: api.token().unwrap_or_default().to_owned(),
        proof: api.proof().map(tandem_core::client::ProofKey::to_text),
        session,
        prompt,
        consent,
        install_dir: places.as_ref().map(crate::install::own_dir),
        places,
    };
    match crate::elevate::restart_as_root(&resume, &install.exe, &dir, &username, &password).await {
        Ok(elevated) => Ok(Some(elevated)),
        Err(e) => {
            say.line(format!(
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
        say.line("The jump client could not be installed: this user has no home directory.".into());
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
        Ok(()) => say.line("This computer is now pinned: your technician's team can reach it later for unattended support. Removing it is up to them (Unpin).".into()),
        Err(e) => say.line(format!("The jump client could not be installed: {e}")),
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
        say.line(
            "The support button could not be installed: this user has no home directory.".into(),
        );
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
        Ok(()) => say.line(format!(
            "\"{}\" is now in your applications: it starts a support session directly.",
            button.name
        )),
        Err(e) => say.line(format!("The support button could not be installed: {e}")),
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
            say.line("The technician can see your screen.".into());
            Some(host)
        }
        Err(e) => {
            say.line(format!("Your screen could not be shared: {e}"));
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

/// Why following the feed stopped short of the session's end.
enum Interrupted {
    /// The connection dropped (or a request could not reach the appliance): reconnect.
    Lost(String),
    /// Something that reconnecting cannot mend.
    Failed(ClientError),
}

impl From<ClientError> for Interrupted {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Network(reason) => Self::Lost(reason),
            // Too many at once (lines typed while cut off, sent together), or the appliance
            // restarting: tried again after a pause, not lost.
            ClientError::Refused {
                status, message, ..
            } if status == 429 || status >= 500 => Self::Lost(message),
            other => Self::Failed(other),
        }
    }
}

/// How long the client keeps trying to reconnect before it gives up: far longer than an
/// appliance waits for it, so it gives up only when nobody is waiting any more.
const GIVE_UP_AFTER: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// A connection that lasted this long counts as a success: the back-off starts again from its
/// shortest pause. One that drops sooner (accepted, then closed at once) backs off further.
const STEADY: std::time::Duration = std::time::Duration::from_secs(10);

/// The appliance pings every open socket (a third of its silence bound, 10 s by default); this
/// much silence means the connection is gone even if no error says so.
const SILENT_FOR: std::time::Duration = std::time::Duration::from_secs(45);

/// How long the user-mode client keeps its connection after handing the session to the
/// elevated one (E2), which connects meanwhile.
const HAND_OVER: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

type Feed =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The appliance no longer lets this client in: the session ended, the customer was removed,
/// or the wait for this client is over.
fn no_longer_waits(status: u16) -> ClientError {
    ClientError::Refused {
        status,
        code: "unauthorized".into(),
        message: "The session no longer waits for this computer".into(),
        rule: None,
    }
}

/// Open the session's event feed, resuming after event `since` when given.
async fn connect(api: &Api, token: &str, since: Option<i64>) -> Result<Feed, Interrupted> {
    use tokio_tungstenite::tungstenite::Error as WsError;
    let url = api.endpoint().events_url(token, since)?;
    let connector = tokio_tungstenite::Connector::Rustls(api.tls());
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        api.socket_request(url.as_str())?,
        None,
        false,
        Some(connector),
    );
    match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok((feed, _))) => Ok(feed),
        // The appliance answered and refused this client's token: the session is over for it
        // (ended, the customer removed, or the wait for it over).
        Ok(Err(WsError::Http(response))) if matches!(response.status().as_u16(), 401 | 403) => Err(
            Interrupted::Failed(no_longer_waits(response.status().as_u16())),
        ),
        // A certificate that is not the trusted one will not become trusted by trying again.
        Ok(Err(WsError::Tls(e))) => Err(Interrupted::Failed(ClientError::Untrusted(e.to_string()))),
        Ok(Err(e)) => Err(Interrupted::Lost(e.to_string())),
        Err(_) => Err(Interrupted::Lost("no answer in time".into())),
    }
}

/// What a session's client keeps across reconnections.
struct Follower {
    api: Api,
    session: SessionId,
    consent: Consent,
    say: Say,
    install: Install,
    shell: Option<ShellHost>,
    screen: Option<crate::screen::ScreenHost>,
    screen_state: tokio::sync::watch::Sender<ScreenState>,
    screen_watch: tokio::sync::watch::Receiver<ScreenState>,
    waiting: Option<PromptKind>,
    /// Elevation (E3): the request, the technician's credentials, and a password being typed.
    elevation: Option<PromptKind>,
    credentials: Option<(String, String)>,
    typing_password: Option<PromptKind>,
    names: std::collections::BTreeMap<tandem_core::domain::TechnicianId, String>,
    /// The number of the last event seen: a reconnection resumes after it, so nothing is
    /// missed and nothing shown twice.
    seq: Option<i64>,
    /// Lines typed while the appliance could not be reached, sent once it can.
    unsent: std::collections::VecDeque<String>,
    /// The number of the event of the last chat line shown: a snapshot shows the lines after
    /// it, so a client that restarts shows what was said while it was down (issue 26), and
    /// one that reconnects shows nothing twice.
    chat_shown: i64,
}

/// Follow the session until it ends. `lines` carries what the customer types: chat, or the
/// answer to a question. A dropped connection is reconnected with back-off and the session
/// resumed where it was; the appliance waits for this client meanwhile.
///
/// # Errors
/// When the appliance refuses this client, or cannot be reached to start with.
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
    let (screen_state, screen_watch) = tokio::sync::watch::channel(ScreenState::Off);
    let mut follower = Follower {
        api,
        session,
        consent,
        say,
        install,
        shell: None,
        screen: None,
        screen_state,
        screen_watch,
        waiting: None,
        elevation: None,
        credentials: None,
        typing_password: None,
        names: std::collections::BTreeMap::new(),
        seq: None,
        unsent: std::collections::VecDeque::new(),
        chat_shown: 0,
    };
    let options = tandem_core::client::FeedOptions {
        backoff_max: std::time::Duration::from_secs(10),
        ..tandem_core::client::FeedOptions::default()
    };
    let mut typing = true;
    let mut attempt: u32 = 0;
    // Since when the client has failed to stay connected (`None` while it is).
    let mut failing: Option<tokio::time::Instant> = None;
    loop {
        if attempt > 0 {
            if failing.is_some_and(|since| since.elapsed() > GIVE_UP_AFTER) {
                return Err(ClientError::Network(
                    "the support server could not be reached for 30 minutes".into(),
                ));
            }
            let pause = tokio::time::sleep(tandem_core::client::backoff(&options, attempt));
            tokio::pin!(pause);
            // Typing goes on while the connection is down; it is sent once it is back.
            loop {
                tokio::select! {
                    () = &mut pause => break,
                    line = lines.recv(), if typing => match line {
                        Some(line) if line.trim() == "/quit" => {
                            // Said if the appliance can be reached at all; otherwise the
                            // session stops waiting for this computer at its deadline.
                            let leave = Command::LeaveSession { session };
                            let _ = tokio::time::timeout(
                                std::time::Duration::from_secs(3),
                                follower.api.command(&leave),
                            )
                            .await;
                            return Ok(Ended::Left);
                        }
                        Some(line) => follower.unsent.push_back(line),
                        None => typing = false,
                    },
                }
            }
        }
        let feed = match connect(&follower.api, &token, follower.seq).await {
            Ok(feed) => feed,
            // Never connected: nothing to resume.
            Err(Interrupted::Lost(reason)) if follower.seq.is_none() => {
                return Err(ClientError::Network(reason));
            }
            Err(Interrupted::Lost(reason)) => {
                attempt += 1;
                tracing::info!(%reason, attempt, "reconnecting");
                continue;
            }
            Err(Interrupted::Failed(e)) => return Err(e),
        };
        let connected = tokio::time::Instant::now();
        if attempt > 0 {
            follower
                .say
                .line("Reconnected: the session goes on.".into());
        }
        match follower.follow(feed, lines, &mut typing, attempt > 0).await {
            Ok(ended) => return Ok(ended),
            Err(Interrupted::Lost(reason)) => {
                tracing::info!(%reason, "the connection to the appliance dropped");
                follower
                    .say
                    .line("The connection to the support server dropped; reconnecting…".into());
                follower.connection_lost();
                if connected.elapsed() > STEADY {
                    attempt = 1;
                    failing = Some(tokio::time::Instant::now());
                } else {
                    attempt += 1;
                    failing.get_or_insert_with(tokio::time::Instant::now);
                }
            }
            Err(Interrupted::Failed(e)) => return Err(e),
        }
    }
}

impl Follower {
    fn say(&self, line: String) {
        self.say.line(line);
    }

    /// Show what the technician has open now (the window's marks and stop buttons).
    fn show_tools(&self) {
        self.say.show(Shown::Tools {
            screen: *self.screen_watch.borrow(),
            shell: self.shell.is_some(),
        });
    }

    /// How a chat line's speaker is shown.
    fn speaker(&self, from: Participant) -> String {
        match from {
            Participant::Technician(t) => self
                .names
                .get(&t)
                .cloned()
                .unwrap_or_else(|| "Technician".into()),
            Participant::Customer => "You".into(),
            Participant::External(_) => "Guest".into(),
        }
    }

    /// The shell and the screen went with the connection; the appliance has said them off
    /// for the technician, who asks again once this client is back.
    fn connection_lost(&mut self) {
        if self.shell.take().is_some() {
            self.say("The command shell is closed.".into());
        }
        if self.screen.take().is_some() {
            self.say("Screen sharing has stopped.".into());
        }
        self.screen_state.send_replace(ScreenState::Off);
        self.show_tools();
    }

    /// Send a command; one the rules refuse is said and the session goes on.
    async fn send(&self, command: &Command) -> Result<(), Interrupted> {
        match self.api.command(command).await {
            Ok(_) => Ok(()),
            Err(ClientError::Refused {
                status, message, ..
            }) if status != 401 => {
                self.say(format!("Not done: {message}"));
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Follow the feed until the session ends for this client or the connection drops. A
    /// request refused because this client's right ended (the session ended while it was
    /// being made) is explained by the event that ended it, which the feed still delivers.
    async fn follow(
        &mut self,
        mut feed: Feed,
        lines: &mut mpsc::Receiver<String>,
        typing: &mut bool,
        reconnected: bool,
    ) -> Result<Ended, Interrupted> {
        if reconnected {
            self.reconcile().await?;
        }
        match self.follow_feed(&mut feed, lines, typing).await {
            Err(Interrupted::Failed(ClientError::Refused { status: 401, .. })) => {
                self.why_ended(&mut feed).await
            }
            Ok(Ended::Elevated(elevated)) => {
                // The elevated process connects on its own; until it has, this socket keeps
                // the session from counting the customer gone (and greying its tools).
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(HAND_OVER, async {
                        while let Some(Ok(_)) = feed.next().await {}
                    })
                    .await;
                });
                Ok(Ended::Elevated(elevated))
            }
            other => other,
        }
    }

    /// Back after a drop the appliance may not have seen (its side of the old connection
    /// lingered): the tools it still counts as open are served again, since this client
    /// dropped its own with the connection.
    async fn reconcile(&mut self) -> Result<(), Interrupted> {
        let snapshot = self.api.snapshot().await?;
        if let View::Customer { session: view } = snapshot.view {
            if view.session.shell && self.shell.is_none() {
                self.start_shell().await?;
            }
            self.screen_state.send_replace(view.session.screen);
            if view.session.screen != ScreenState::Off && self.screen.is_none() {
                self.screen =
                    share_screen(&self.api, self.session, &self.screen_watch, &self.say).await;
            }
        }
        Ok(())
    }

    /// What the feed says after this client's right ended: the end of the session, or the
    /// customer's removal, before the appliance closes it.
    async fn why_ended(&mut self, feed: &mut Feed) -> Result<Ended, Interrupted> {
        let reading = async {
            while let Some(Ok(message)) = feed.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                if let Ok(ServerMessage::Event(published)) =
                    serde_json::from_str::<ServerMessage>(text.as_str())
                {
                    match published.event {
                        Event::SessionEnded {
                            uninstall_customer_client,
                            ..
                        } => {
                            return Some(Ended::SessionEnded {
                                uninstall: uninstall_customer_client,
                            });
                        }
                        Event::CustomerDisconnected { .. } => return Some(Ended::Disconnected),
                        _ => {}
                    }
                }
            }
            None
        };
        match tokio::time::timeout(std::time::Duration::from_secs(5), reading).await {
            Ok(Some(ended)) => Ok(ended),
            _ => Err(Interrupted::Failed(no_longer_waits(401))),
        }
    }

    async fn follow_feed(
        &mut self,
        feed: &mut Feed,
        lines: &mut mpsc::Receiver<String>,
        typing: &mut bool,
    ) -> Result<Ended, Interrupted> {
        let mut heard = tokio::time::Instant::now();
        loop {
            // What was typed while the connection was down goes first, in order.
            if let Some(line) = self.unsent.pop_front() {
                if let Some(ended) = self.on_line(line).await? {
                    return Ok(ended);
                }
                continue;
            }
            tokio::select! {
                line = lines.recv(), if *typing => {
                    // No more typing (the terminal closed, or there never was one): the
                    // session goes on; only "/quit" leaves it.
                    let Some(line) = line else { *typing = false; continue };
                    if let Some(ended) = self.on_line(line).await? {
                        return Ok(ended);
                    }
                }
                message = feed.next() => {
                    heard = tokio::time::Instant::now();
                    let text = match message {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(frame))) => return self.closed(frame),
                        Some(Err(e)) => return Err(Interrupted::Lost(e.to_string())),
                        None => return Err(Interrupted::Lost("the appliance closed the connection".into())),
                        Some(Ok(_)) => continue,
                    };
                    match serde_json::from_str::<ServerMessage>(text.as_str()) {
                        Ok(message) => if let Some(ended) = self.on_message(message).await? {
                            return Ok(ended);
                        },
                        Err(e) => tracing::warn!(error = %e, "unreadable message from the appliance"),
                    }
                }
                () = tokio::time::sleep_until(heard + SILENT_FOR) => {
                    return Err(Interrupted::Lost("the appliance went silent".into()));
                }
            }
        }
    }

    /// The appliance closed the feed: for good when it ended this client's right (4001, 4002),
    /// otherwise (a restart, say) to be reconnected.
    fn closed(
        &self,
        frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>,
    ) -> Result<Ended, Interrupted> {
        match frame.as_ref().map(|f| u16::from(f.code)) {
            Some(4001 | 4002) => Err(Interrupted::Failed(no_longer_waits(401))),
            _ => Err(Interrupted::Lost(format!(
                "the appliance closed the connection ({frame:?})"
            ))),
        }
    }

    /// A line the customer typed: chat, an answer, a password, or "/quit". A line that could
    /// not reach the appliance is kept, first in line, for when it can; a password never is.
    async fn on_line(&mut self, line: String) -> Result<Option<Ended>, Interrupted> {
        if let Some(prompt) = self.typing_password.take() {
            let user = crate::elevate::current_user().await;
            return match self.elevate(prompt, (user, line)).await {
                Ok(Some(e)) => Ok(Some(Ended::Elevated(Box::new(e)))),
                Ok(None) => Ok(None),
                Err(e) => {
                    self.say(
                        "The connection dropped: administrative rights were not given.".into(),
                    );
                    Err(e)
                }
            };
        }
        let kept = line.clone();
        self.on_words(line).await.inspect_err(|e| {
            if matches!(e, Interrupted::Lost(_)) {
                self.unsent.push_front(kept);
            }
        })
    }

    /// A line that is not a password.
    async fn on_words(&mut self, line: String) -> Result<Option<Ended>, Interrupted> {
        let session = self.session;
        if let Some(prompt @ PromptKind::Elevation(_)) = self
            .waiting
            .filter(|_| matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
        {
            self.waiting = None;
            let user = crate::elevate::current_user().await;
            if !crate::elevate::ASKS_PASSWORD {
                // Windows asks itself (UAC), for a Yes or an administrator's password.
                return Ok(self
                    .elevate(prompt, (user, String::new()))
                    .await?
                    .map(|e| Ended::Elevated(Box::new(e))));
            }
            self.say.show(Shown::Password { user });
            self.typing_password = Some(prompt);
        } else if let Some(prompt) = self.waiting {
            let accepted = matches!(line.trim(), "y" | "Y" | "yes" | "Yes");
            self.send(&Command::AnswerPrompt {
                session,
                prompt,
                accepted,
            })
            .await?;
            self.waiting = None;
        } else if line.trim() == "/stop-screen" {
            // The customer takes their screen back; no permission needed (A1).
            self.send(&Command::StopScreen { session }).await?;
        } else if line.trim() == "/stop-shell" {
            self.send(&Command::StopShell { session }).await?;
        } else if line.trim() == "/quit" {
            self.send(&Command::LeaveSession { session }).await?;
            return Ok(Some(Ended::Left));
        } else if !line.trim().is_empty() {
            self.send(&Command::SendChat {
                session,
                text: line,
            })
            .await?;
        }
        Ok(None)
    }

    async fn elevate(
        &self,
        prompt: PromptKind,
        given: (String, String),
    ) -> Result<Option<crate::elevate::Elevated>, Interrupted> {
        Ok(elevate(
            &self.api,
            self.session,
            self.consent,
            prompt,
            &self.install,
            given,
            &self.say,
        )
        .await?)
    }

    async fn answer(&mut self, prompt: PromptKind) -> Result<(), Interrupted> {
        self.waiting = answer(&self.api, self.session, self.consent, prompt, &self.say)
            .await?
            .or(self.waiting);
        Ok(())
    }

    async fn start_shell(&mut self) -> Result<(), Interrupted> {
        self.shell = Some(shell::start(&self.api, self.session).await?);
        Ok(())
    }

    /// A message on the feed; what is open afterwards is shown.
    async fn on_message(&mut self, message: ServerMessage) -> Result<Option<Ended>, Interrupted> {
        let outcome = self.on_feed(message).await;
        self.show_tools();
        outcome
    }

    #[allow(clippy::too_many_lines)]
    async fn on_feed(&mut self, message: ServerMessage) -> Result<Option<Ended>, Interrupted> {
        let session = self.session;
        match message {
            ServerMessage::Snapshot(snapshot) => {
                self.seq = Some(snapshot.seq);
                if let View::Customer { session: view } = snapshot.view {
                    self.names = view.technicians.clone();
                    // Taken already if a technician was quicker than this connection.
                    match view.session.owner.and_then(|o| self.names.get(&o)) {
                        Some(owner) => {
                            self.say(format!("Connected to session {}.", view.session.id));
                            self.say.show(Shown::Helper(owner.clone()));
                        }
                        None => self.say(format!(
                            "Connected to session {}. Waiting for a technician…",
                            view.session.id
                        )),
                    }
                    let missed: Vec<_> = view
                        .chat
                        .iter()
                        .filter(|line| line.seq > self.chat_shown)
                        .collect();
                    if !missed.is_empty() {
                        self.say("Earlier in this session:".into());
                        for line in missed {
                            self.say(format!("[{}] {}", self.speaker(line.from), line.text));
                            self.chat_shown = self.chat_shown.max(line.seq);
                        }
                    }
                    // Requests made before this client connected wait in the snapshot.
                    // They are answered as live ones are (an elevation is never accepted
                    // without elevating).
                    let waiting: Vec<PromptKind> = view.session.prompts.keys().copied().collect();
                    for prompt in waiting {
                        if let Some(ended) = self.on_prompt(prompt).await? {
                            return Ok(Some(ended));
                        }
                    }
                    if view.session.shell && self.shell.is_none() {
                        self.start_shell().await?;
                    }
                    self.screen_state.send_replace(view.session.screen);
                    if view.session.screen != ScreenState::Off && self.screen.is_none() {
                        self.screen =
                            share_screen(&self.api, session, &self.screen_watch, &self.say).await;
                    }
                    // Reported once on connecting (a request made earlier is
                    // not kept), and again whenever a technician asks.
                    report_system_info(&self.api).await?;
                    // A pin made before this client connected is installed now (J1).
                    if let Some(jump_client) = &view.jump_client {
                        pin(&self.api, &self.install, jump_client.id, &self.say).await;
                    }
                    if let Some(button) = &view.support_button {
                        deploy_button(&self.api, &self.install, button, &self.say).await;
                    }
                }
            }
            ServerMessage::Event(published) => {
                tracing::debug!(seq = published.seq, "event");
                self.seq = Some(published.seq);
                if matches!(published.event, Event::ChatPosted { .. }) {
                    self.chat_shown = published.seq;
                }
                return self.on_event(published.event).await;
            }
            ServerMessage::Direct { body } if body["kind"] == "elevation_credentials" => {
                let given = (
                    body["username"].as_str().unwrap_or_default().to_owned(),
                    body["password"].as_str().unwrap_or_default().to_owned(),
                );
                match self.elevation.take() {
                    Some(prompt) => {
                        if let Some(e) = self.elevate(prompt, given).await? {
                            return Ok(Some(Ended::Elevated(Box::new(e))));
                        }
                    }
                    None => self.credentials = Some(given),
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// A request of the technician's, raised now or waiting when this client connected.
    async fn on_prompt(&mut self, prompt: PromptKind) -> Result<Option<Ended>, Interrupted> {
        let session = self.session;
        let consent = self.consent;
        match prompt {
            PromptKind::Elevation(ElevationMethod::ProvideCredentials)
                if consent != Consent::DenyAll =>
            {
                // The technician's credentials arrive beside the request, in either order.
                self.elevation = Some(prompt);
                if let Some(given) = self.credentials.take()
                    && let Some(e) = self.elevate(prompt, given).await?
                {
                    return Ok(Some(Ended::Elevated(Box::new(e))));
                }
            }
            PromptKind::Elevation(ElevationMethod::PromptCustomer)
                if consent == Consent::AllowAll && !crate::elevate::ASKS_PASSWORD =>
            {
                // Allowed here; Windows' own prompt still asks the person at the computer.
                let user = crate::elevate::current_user().await;
                if let Some(e) = self.elevate(prompt, (user, String::new())).await? {
                    return Ok(Some(Ended::Elevated(Box::new(e))));
                }
            }
            PromptKind::Elevation(ElevationMethod::PromptCustomer)
                if consent == Consent::AllowAll =>
            {
                self.say("The technician asked for administrative rights, which need your password; this client answers without asking, so it declines.".into());
                self.send(&Command::AnswerPrompt {
                    session,
                    prompt,
                    accepted: false,
                })
                .await?;
            }
            _ => self.answer(prompt).await?,
        }
        Ok(None)
    }

    #[allow(clippy::too_many_lines)]
    async fn on_event(&mut self, event: Event) -> Result<Option<Ended>, Interrupted> {
        let session = self.session;
        match event {
            Event::PromptRaised { prompt, .. } => return self.on_prompt(prompt).await,
            Event::ShellChanged { open: true, .. } if self.shell.is_some() => {}
            Event::ShellChanged { open: true, .. } => {
                self.start_shell().await?;
                self.say("The technician has a command shell on this computer.".into());
            }
            Event::ShellChanged { open: false, .. } if self.shell.is_some() => {
                self.shell = None;
                self.say("The command shell is closed.".into());
            }
            Event::ScreenChanged { screen: now, .. } => {
                self.screen_state.send_replace(now);
                match (now, self.screen.is_some()) {
                    (ScreenState::Off, true) => {
                        self.screen = None;
                        self.say("Screen sharing has stopped.".into());
                    }
                    (ScreenState::Off, false) | (_, true) => {}
                    (_, false) => {
                        self.screen =
                            share_screen(&self.api, session, &self.screen_watch, &self.say).await;
                    }
                }
                if now == ScreenState::Control {
                    self.say("The technician can now control your mouse and keyboard.".into());
                }
            }
            Event::SystemInfoViewed { .. } => report_system_info(&self.api).await?,
            Event::SupportButtonDeployed { button, .. } => {
                deploy_button(&self.api, &self.install, &button, &self.say).await;
            }
            Event::JumpClientPinned { jump_client, .. } => {
                pin(&self.api, &self.install, jump_client.id, &self.say).await;
            }
            Event::SupportButtonRemoved { button, .. } => {
                if let Some(places) = &self.install.places {
                    match crate::button::uninstall(places, button) {
                        Ok(()) => self.say("The support button was removed.".into()),
                        Err(e) => self.say(format!("The support button could not be removed: {e}")),
                    }
                }
            }
            Event::SessionAccepted { owner, .. } => {
                let refreshed = self.api.snapshot().await?;
                if let View::Customer { session: view } = refreshed.view {
                    self.names = view.technicians;
                }
                self.say.show(Shown::Helper(
                    self.names
                        .get(&owner)
                        .cloned()
                        .unwrap_or_else(|| "A technician".into()),
                ));
            }
            Event::ChatPosted { from, text, .. } if from != Participant::Customer => {
                self.say(format!("[{}] {text}", self.speaker(from)));
            }
            Event::SessionEnded {
                uninstall_customer_client,
                ..
            } => {
                return Ok(Some(Ended::SessionEnded {
                    uninstall: uninstall_customer_client,
                }));
            }
            Event::CustomerDisconnected { .. } => return Ok(Some(Ended::Disconnected)),
            _ => {}
        }
        Ok(None)
    }
}
