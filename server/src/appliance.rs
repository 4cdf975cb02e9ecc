//! The appliance's heart: one writer task that checks every command with the rules engine,
//! commits its events (and any token or link it needs), then applies and publishes them.
//! "Acknowledged" means committed: what a caller was told happened survives a crash.
//!
//! Commands that wait while a commit is under way are committed together (group commit): each
//! is planned against the state its predecessors in the batch leave, its side writes run under
//! a savepoint of their own (a used-up link fails that command alone), and one transaction, one
//! fsync and one copy of the state serve them all. Nobody is answered before that commit.
//! Readers never wait for the writer: they take the last committed state (`read`).
use crate::config::Config;
use crate::error::ApiError;
use crate::mail::Mailer;
use crate::store::{Store, StoreError, TokenKind};
use crate::visibility::{either, seen_by};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tandem_core::domain::CommandError;
use tandem_core::domain::{Actor, Command, Event, SessionId, State, TechnicianId, Timestamp};
use tokio::sync::{broadcast, mpsc, oneshot};

pub use tandem_core::protocol::Published;

/// An event on its way to the event feeds, with who may see it.
#[derive(Debug)]
pub struct Outgoing {
    /// The event and its number.
    pub published: Published,
    /// The session it concerns.
    pub session: Option<SessionId>,
    /// The technicians who may see it; `None`: every technician.
    pub audience: Option<BTreeSet<TechnicianId>>,
    /// Its message as sent on the event feeds, written once for all of them.
    text: std::sync::OnceLock<axum::extract::ws::Utf8Bytes>,
}

impl Outgoing {
    /// An event on its way, with its session and audience.
    #[must_use]
    pub fn new(
        published: Published,
        session: Option<SessionId>,
        audience: Option<BTreeSet<TechnicianId>>,
    ) -> Self {
        Self {
            published,
            session,
            audience,
            text: std::sync::OnceLock::new(),
        }
    }

    /// The event feed's message for it (an external user's is written apart: redacted), written
    /// by the first feed that sends it and shared by the others.
    ///
    /// # Errors
    /// If it cannot be written as JSON.
    pub fn text(&self) -> Result<axum::extract::ws::Utf8Bytes, serde_json::Error> {
        if let Some(text) = self.text.get() {
            return Ok(text.clone());
        }
        let message = tandem_core::protocol::ServerMessage::Event(self.published.clone());
        let text: axum::extract::ws::Utf8Bytes = serde_json::to_string(&message)?.into();
        Ok(self.text.get_or_init(|| text).clone())
    }
}

/// A message for one session's customer client that is never stored: credentials the
/// technician typed for elevation (E3) go straight to the client and nowhere else.
#[derive(Clone)]
pub struct Direct {
    /// The session whose customer client receives it.
    pub session: i64,
    /// The message, as JSON.
    pub body: serde_json::Value,
}

/// A write that must commit with a command's events, or not at all.
#[derive(Debug, Clone)]
pub enum SideWrite {
    /// The password of the technician the command creates, or whose password it resets.
    Credential {
        /// Its argon2id hash.
        password_hash: String,
    },
    /// The one-time link of the external invitation the command sends.
    Link {
        /// The link token's hash.
        token_hash: String,
    },
    /// Use up a one-time link; the command fails if it was used already.
    RedeemLink {
        /// The link token's hash.
        token_hash: String,
    },
    /// Use up a session key; the command fails if it was used already.
    UseSessionKey {
        /// The key's hash.
        key_hash: String,
    },
    /// Use up a one-time download credential (issue 27) and end the tokens the session's
    /// customer held so far (the browser's click-to-chat): the full client that presents it
    /// takes the customer's seat alone. The command fails if it was used already.
    UseDownload {
        /// The credential's hash.
        ticket_hash: String,
        /// Its session.
        session: i64,
    },
    /// A bearer token for whoever the command lets in: the customer of the session it starts
    /// (or whose full client it seats), or the external user it admits.
    Token {
        /// Which kind.
        kind: TokenKind,
        /// The token's hash.
        token_hash: String,
        /// How long it lives.
        ttl_ms: i64,
    },
    /// Bind a customer's token to its client's key (issue 26, [`crate::proof`]).
    BindToken {
        /// The token's hash.
        token_hash: String,
        /// The key's public half, base64url.
        public_key: String,
    },
}

/// What an accepted command did.
#[derive(Debug, Clone)]
pub struct Executed {
    /// Its events, numbered.
    pub events: Vec<Published>,
}

impl Executed {
    /// The first event of a kind, if any.
    pub fn find<T>(&self, pick: impl Fn(&Event) -> Option<T>) -> Option<T> {
        self.events.iter().find_map(|p| pick(&p.event))
    }
}

/// The writer task's own: the state as last committed, the number of its last event, and that
/// of the last copy of the state stored.
#[derive(Debug)]
struct Inner {
    state: Arc<State>,
    last_seq: i64,
    snapshot_seq: i64,
}

/// What readers see: the state as of the last commit and the number of its last event, shared,
/// immutable. Taking it never waits for the writer, whose lock is held through the database's
/// commit (an fsync); a reader sees each commit whole or not at all.
#[derive(Debug)]
pub struct Committed {
    /// The state.
    pub state: Arc<State>,
    /// The number of the last event applied to it.
    pub last_seq: i64,
}

/// How a command or an observation decides its events, given the state and the time.
type Decide = Box<dyn FnOnce(&State, Timestamp) -> Result<Vec<Event>, CommandError> + Send>;

/// Why the writer did not carry out a job.
enum JobError {
    /// The rules refused it (the caller audits the refusal).
    Refused(CommandError),
    /// A used-up link or key, or the database failed.
    Failed(ApiError),
}

/// Where a job's answer goes.
type Reply = oneshot::Sender<Result<Executed, JobError>>;

/// One command or observation for the writer, with where its answer goes.
struct Job {
    label: String,
    what: String,
    decide: Decide,
    sides: Vec<SideWrite>,
    reply: Reply,
}

/// The most jobs committed together: a bound on one transaction's size and on how long the
/// first of them waits for the last.
const MAX_BATCH: usize = 256;

/// The running appliance.
#[derive(Debug)]
pub struct Appliance {
    jobs: mpsc::Sender<Job>,
    committed: arc_swap::ArcSwap<Committed>,
    /// Whether a copy of the state is being stored.
    snapshotting: std::sync::atomic::AtomicBool,
    /// The number of the newest copy of the state stored (0: none).
    copies: tokio::sync::watch::Sender<i64>,
    /// Transactions committed by the writer (each may carry many commands).
    commits: std::sync::atomic::AtomicU64,
    /// The database.
    pub store: Store,
    /// The sockets' subscriptions to committed events, by topic.
    pub feeds: crate::feeds::Feeds,
    direct: broadcast::Sender<Arc<Direct>>,
    /// Outgoing mail, when configured.
    pub mailer: Option<Mailer>,
    /// How it was started.
    pub config: Config,
    /// The TLS certificate's fingerprint, when serving TLS.
    pub fingerprint: Option<String>,
    /// The support client's packages it serves (issue 27).
    pub packages: crate::downloads::Packages,
    /// The shell streams being relayed.
    pub relays: crate::relay::Relays,
    /// The latest system information each session's customer client reported (kept in memory
    /// only: it is the customer's, and it is collected afresh on request).
    pub system_info:
        std::sync::Mutex<std::collections::BTreeMap<SessionId, tandem_core::protocol::SystemInfo>>,
    /// How many customer clients of each session have their event socket open.
    customers_online: std::sync::Mutex<std::collections::BTreeMap<i64, usize>>,
    /// How many consoles of each technician have their event feed open (S3: presence).
    consoles_online: std::sync::Mutex<std::collections::BTreeMap<TechnicianId, usize>>,
    /// The open sockets, by credential, so that a right that ends closes them at once.
    pub connections: crate::connections::Connections,
    /// Rate limits and the password-hashing pool.
    pub limits: crate::limits::Limits,
}

/// Counts a customer client's open event socket for as long as it lives. When the last one of
/// a session closes, the session starts waiting for the client to come back.
#[derive(Debug)]
pub struct CustomerOnline {
    appliance: Arc<Appliance>,
    session: i64,
}

impl Drop for CustomerOnline {
    fn drop(&mut self) {
        let mut last = false;
        if let Ok(mut online) = self.appliance.customers_online.lock()
            && let Some(n) = online.get_mut(&self.session)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                online.remove(&self.session);
                last = true;
            }
        }
        if last && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(Arc::clone(&self.appliance).customer_lost(self.session));
        }
    }
}

/// Counts a console's open event feed for as long as it lives. A technician is present (S3)
/// while one of their consoles is connected; after the last one drops they stay listed for
/// `presence_grace` (a phone changing networks), then are not.
#[derive(Debug)]
pub struct ConsoleOnline {
    appliance: Arc<Appliance>,
    technician: TechnicianId,
}

impl Drop for ConsoleOnline {
    fn drop(&mut self) {
        let mut last = false;
        if let Ok(mut online) = self.appliance.consoles_online.lock()
            && let Some(n) = online.get_mut(&self.technician)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                online.remove(&self.technician);
                last = true;
            }
        }
        if last && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let appliance = Arc::clone(&self.appliance);
            let technician = self.technician;
            runtime.spawn(async move {
                tokio::time::sleep(appliance.config.presence_grace).await;
                appliance.set_present(technician, false).await;
            });
        }
    }
}

/// The credentials whose right an event ends, judged in the state just before it: a session's
/// end ends its customer's and its external users' tokens; a customer removed or gone, an
/// external user logged out (X5), a jump client unpinned (J1), a support button removed (B1)
/// end theirs.
fn ended_rights(before: &State, event: &Event) -> Vec<(TokenKind, i64)> {
    use tandem_core::domain::Participant;
    match event {
        Event::SessionEnded { session, .. } => {
            let externals = before
                .sessions
                .get(session)
                .into_iter()
                .flat_map(|s| s.externals.keys())
                .map(|e| (TokenKind::External, id(e.0)));
            std::iter::once((TokenKind::Customer, id(session.0)))
                .chain(externals)
                .collect()
        }
        Event::CustomerDisconnected { session, .. } => vec![(TokenKind::Customer, id(session.0))],
        Event::MemberLeft {
            member: Participant::External(e),
            ..
        } => vec![(TokenKind::External, id(e.0))],
        Event::JumpClientUnpinned { jump_client, .. } => {
            vec![(TokenKind::JumpClient, id(jump_client.0))]
        }
        Event::SupportButtonRemoved { button, .. } => {
            vec![(TokenKind::SupportButton, id(button.0))]
        }
        // Every sign-in of the account: its consoles and its administration pages.
        Event::TechnicianEnabledChanged {
            technician,
            enabled: false,
        }
        | Event::PasswordReset { technician }
        | Event::TechnicianSignedOut { technician } => vec![
            (TokenKind::Technician, id(technician.0)),
            (TokenKind::AdminWeb, id(technician.0)),
        ],
        _ => Vec::new(),
    }
}

/// The longest refusal text the audit keeps.
const MAX_AUDIT_CHARS: usize = 500;

/// Milliseconds since the epoch, now.
#[must_use]
pub fn now_ms() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    i64::try_from(ms).unwrap_or(i64::MAX)
}

fn timestamp(ms: i64) -> Timestamp {
    Timestamp(u64::try_from(ms).unwrap_or(0))
}

pub(crate) fn id(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// How an actor is named in the store and the logs (never a secret).
#[must_use]
pub fn actor_label(actor: Actor) -> String {
    match actor {
        Actor::Technician(t) => format!("technician:{t}"),
        Actor::External(e) => format!("external:{e}"),
        Actor::Customer(s) => format!("customer:{s}"),
        Actor::Guest => "guest".to_owned(),
    }
}

/// The name of a command's kind, for the audit log: never its content, which may hold text.
#[must_use]
pub fn command_label(command: &Command) -> String {
    let text = match command {
        Command::Admin(admin) => format!("Admin::{admin:?}"),
        other => format!("{other:?}"),
    };
    text.split([' ', '(', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Appliance {
    /// Rebuild the state from the stored events.
    ///
    /// # Errors
    /// When the database fails or holds unreadable events.
    pub async fn load(
        store: Store,
        config: Config,
        fingerprint: Option<String>,
        mailer: Option<Mailer>,
    ) -> Result<Arc<Self>, StoreError> {
        let (state, last_seq, snapshot_seq) = crate::state_copy::replay(&store).await?;
        tracing::info!(
            events = last_seq,
            from = snapshot_seq,
            "state rebuilt from the event store"
        );
        let (direct, _) = broadcast::channel(64);
        let state = Arc::new(state);
        // A downloaded client pins a self-signed appliance's certificate; one with a real
        // certificate is trusted the way every program on that computer trusts it.
        let carried = tandem_core::download::Carried {
            url: config.public_url.to_string(),
            fingerprint: fingerprint
                .clone()
                .filter(|_| matches!(config.tls, crate::config::TlsMode::SelfSigned)),
        };
        let packages = crate::downloads::Packages::load(
            &config.effective_downloads_dir(),
            config.client_beside.as_deref(),
            &carried,
        );
        tracing::info!(
            present = ?packages.present.iter().map(|p| p.target.id).collect::<Vec<_>>(),
            "support client packages"
        );
        let (jobs, queue) = mpsc::channel(4 * MAX_BATCH);
        let appliance = Arc::new(Self {
            committed: arc_swap::ArcSwap::from_pointee(Committed {
                state: Arc::clone(&state),
                last_seq,
            }),
            jobs,
            commits: std::sync::atomic::AtomicU64::new(0),
            snapshotting: std::sync::atomic::AtomicBool::new(false),
            copies: tokio::sync::watch::Sender::new(snapshot_seq),
            store,
            feeds: crate::feeds::Feeds::default(),
            direct,
            mailer,
            fingerprint,
            packages,
            relays: crate::relay::Relays::default(),
            system_info: std::sync::Mutex::default(),
            customers_online: std::sync::Mutex::default(),
            consoles_online: std::sync::Mutex::default(),
            connections: crate::connections::Connections::default(),
            limits: crate::limits::Limits::new(config.rate_limits),
            config,
        });
        // The writer holds the appliance weakly: it stops when the appliance is dropped (its
        // queue's sender goes with it).
        tokio::spawn(write(
            Arc::downgrade(&appliance),
            Inner {
                state,
                last_seq,
                snapshot_seq,
            },
            queue,
        ));
        Ok(appliance)
    }

    /// The state as of the last commit, and the number of its last event: never waits for a
    /// write (async only for its callers' sake).
    pub(crate) async fn read(&self) -> Arc<Committed> {
        self.committed.load_full()
    }

    /// The number of the newest copy of the state stored, as it changes (0: none yet).
    #[must_use]
    pub fn stored_copies(&self) -> tokio::sync::watch::Receiver<i64> {
        self.copies.subscribe()
    }

    /// How many transactions the writer has committed: fewer than the commands it accepted
    /// when commands waited together (group commit).
    #[must_use]
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The state as of the last commit, shared (no copy).
    pub async fn state(&self) -> Arc<State> {
        Arc::clone(&self.committed.load().state)
    }

    /// Live events that concern `topic`, from the moment of subscribing.
    #[must_use]
    pub fn subscribe(&self, topic: crate::feeds::Topic) -> crate::feeds::Subscription {
        self.feeds.subscribe(topic)
    }

    /// Live direct messages for customer clients.
    #[must_use]
    pub fn subscribe_direct(&self) -> broadcast::Receiver<Arc<Direct>> {
        self.direct.subscribe()
    }

    /// Note a customer client's event socket as open until the returned guard is dropped. The
    /// first socket of a session the appliance was waiting for brings its customer back. A
    /// `fresh` socket (a client starting, not one resuming after a drop, whose old socket may
    /// linger) while another is open is a second client with the session's credential: its
    /// technicians are told (issue 26).
    #[must_use]
    pub fn customer_online(self: &Arc<Self>, session: i64, fresh: bool) -> CustomerOnline {
        let mut first = false;
        if let Ok(mut online) = self.customers_online.lock() {
            let n = online.entry(session).or_default();
            *n += 1;
            first = *n == 1;
        }
        if !first && fresh {
            let appliance = Arc::clone(self);
            let session = SessionId(u64::try_from(session).unwrap_or(0));
            tokio::spawn(async move {
                let told = appliance
                    .observe("CustomerClientStartedAgain", move |state, _| {
                        // An elevated client taking over from the one that restarted it (E2)
                        // connects while the first still holds on: that is no second client.
                        let handover = |s: &tandem_core::domain::Session| {
                            s.customer.info.mode == tandem_core::domain::ClientMode::Elevated
                        };
                        match state.sessions.get(&session) {
                            Some(s) if !handover(s) => {
                                vec![Event::CustomerClientStartedAgain { session }]
                            }
                            _ => Vec::new(),
                        }
                    })
                    .await;
                if let Err(e) = told {
                    tracing::warn!(error = %e, "could not tell that a second customer client joined");
                }
            });
        }
        if first {
            let appliance = Arc::clone(self);
            tokio::spawn(async move {
                let judge = Arc::clone(&appliance);
                let back = appliance
                    .observe("CustomerReconnected", move |state, _| {
                        // Judged under the writer's lock: a socket that came and went already
                        // brings nobody back.
                        if !judge.customer_is_online(session) {
                            return Vec::new();
                        }
                        state.customer_reconnected(SessionId(u64::try_from(session).unwrap_or(0)))
                    })
                    .await;
                if let Err(e) = back {
                    tracing::warn!(error = %e, "could not record a customer's return");
                }
            });
        }
        CustomerOnline {
            appliance: Arc::clone(self),
            session,
        }
    }

    /// A session's customer client has no event socket left (closed, or silent and closed by
    /// liveness): the session waits `customer_grace` for it, then says the customer left. News
    /// that is stale by the time it is recorded (the client is back) changes nothing.
    async fn customer_lost(self: Arc<Self>, session: i64) {
        let subject = SessionId(u64::try_from(session).unwrap_or(0));
        let grace = self.config.customer_grace;
        let wait_ms = i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
        let judge = Arc::clone(&self);
        let lost = self
            .observe("CustomerConnectionLost", move |state, now| {
                if judge.customer_is_online(session) {
                    return Vec::new();
                }
                let until = Timestamp(now.0.saturating_add(u64::try_from(wait_ms).unwrap_or(0)));
                state.customer_connection_lost(subject, until)
            })
            .await;
        if let Err(e) = lost {
            tracing::warn!(error = %e, "could not record a customer's lost connection");
            return;
        }
        // Whether recorded now or already (a wait that began before a restart, whose timer went
        // with it), a session waiting for its customer is judged again at its deadline.
        let until = match self.read().await.state.sessions.get(&subject) {
            Some(s) if s.customer.connected => match s.customer.link {
                tandem_core::domain::CustomerLink::Reconnecting { until } => until,
                tandem_core::domain::CustomerLink::Online => return,
            },
            _ => return,
        };
        let left = until.0.saturating_sub(u64::try_from(now_ms()).unwrap_or(0));
        // A little past the deadline, so that the clock has reached it when this is judged.
        tokio::time::sleep(std::time::Duration::from_millis(left.saturating_add(20))).await;
        let judge = Arc::clone(&self);
        let over = self
            .observe("CustomerDisconnected", move |state, now| {
                if judge.customer_is_online(session) {
                    return Vec::new();
                }
                state.customer_wait_over(subject, now)
            })
            .await;
        if let Err(e) = over {
            tracing::warn!(error = %e, "could not end the wait for a customer");
        }
    }

    /// After a restart no customer client and no console is connected. Those still running
    /// reconnect by themselves within their back-off; the sessions whose customer has not come
    /// back after one silence bound (`dead_after`) start waiting for it, as if its connection
    /// had just dropped (a wait begun before the restart goes on to its deadline), and the
    /// technicians whose console has not come back within the presence grace are unlisted.
    pub fn await_clients(self: &Arc<Self>) {
        let appliance = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(appliance.config.presence_grace).await;
            let listed: Vec<TechnicianId> = appliance
                .state()
                .await
                .technicians
                .values()
                .filter(|t| t.logged_in)
                .map(|t| t.id)
                .collect();
            for technician in listed {
                appliance.set_present(technician, false).await;
            }
        });
        let appliance = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(appliance.config.dead_after).await;
            let state = appliance.state().await;
            for (session, s) in &state.sessions {
                let session = id(session.0);
                if s.is_live() && s.customer.connected && !appliance.customer_is_online(session) {
                    tokio::spawn(Arc::clone(&appliance).customer_lost(session));
                }
            }
        });
    }

    /// Note a console's event feed as open until the returned guard is dropped: its technician
    /// is present (S3) from now on.
    #[must_use]
    pub fn console_online(self: &Arc<Self>, technician: TechnicianId) -> ConsoleOnline {
        if let Ok(mut online) = self.consoles_online.lock() {
            *online.entry(technician).or_default() += 1;
        }
        let appliance = Arc::clone(self);
        tokio::spawn(async move { appliance.set_present(technician, true).await });
        ConsoleOnline {
            appliance: Arc::clone(self),
            technician,
        }
    }

    /// Whether one of the technician's consoles has its feed open.
    pub fn console_is_online(&self, technician: TechnicianId) -> bool {
        self.consoles_online
            .lock()
            .is_ok_and(|online| online.get(&technician).is_some_and(|n| *n > 0))
    }

    /// Record a technician as present or not (S3), judged again under the writer's lock: not
    /// present while a console of theirs is connected, present only while one is.
    pub async fn set_present(self: &Arc<Self>, technician: TechnicianId, present: bool) {
        let judge = Arc::clone(self);
        let recorded = self
            .observe("SetLoggedIn", move |state, now| {
                if present != judge.console_is_online(technician) {
                    return Vec::new();
                }
                state
                    .plan(
                        Actor::Technician(technician),
                        &Command::SetLoggedIn { logged_in: present },
                        now,
                    )
                    .unwrap_or_default()
            })
            .await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "could not record a technician's presence");
        }
    }

    /// Tell the technician whose invitation it was that its mail was not sent (S4, X3).
    pub async fn mail_not_sent(
        &self,
        technician: TechnicianId,
        invitation: tandem_core::domain::InvitationId,
        reason: String,
    ) {
        let told = self
            .observe("MailNotSent", move |_, _| {
                vec![Event::MailNotSent {
                    technician,
                    invitation,
                    reason,
                }]
            })
            .await;
        if let Err(e) = told {
            tracing::warn!(error = %e, "could not tell a technician that a mail was not sent");
        }
    }

    /// Whether a customer client of the session is connected.
    pub fn customer_is_online(&self, session: i64) -> bool {
        self.customers_online
            .lock()
            .is_ok_and(|online| online.get(&session).is_some_and(|n| *n > 0))
    }

    /// Send a never-stored message to a session's customer client. Returns whether a client of
    /// that session was listening; if none was, nothing is kept for later.
    pub fn send_direct(&self, session: i64, body: serde_json::Value) -> bool {
        let listening = self.customer_is_online(session);
        if listening {
            let _ = self.direct.send(Arc::new(Direct { session, body }));
        }
        listening
    }

    fn forget_session(&self, session: SessionId) {
        if let Ok(mut reports) = self.system_info.lock() {
            reports.remove(&session);
        }
        self.relays.forget(session);
    }

    /// Whether the rules would accept a command now, without carrying it out (before costly
    /// work that only an accepted command needs). Execution checks again.
    ///
    /// # Errors
    /// The rules' refusal.
    pub async fn check(&self, actor: Actor, command: &Command) -> Result<(), ApiError> {
        self.read()
            .await
            .state
            .plan(actor, command, timestamp(now_ms()))
            .map(|_| ())
            .map_err(ApiError::from)
    }

    /// Check and carry out a command, with the writes that must commit with it.
    ///
    /// # Errors
    /// The domain's refusal, a used-up link or key, or a database failure. Nothing changes then.
    pub async fn execute(
        &self,
        actor: Actor,
        command: &Command,
        sides: Vec<SideWrite>,
    ) -> Result<Executed, ApiError> {
        let planned = command.clone();
        let outcome = self
            .submit(
                actor_label(actor),
                command_label(command),
                Box::new(move |state, now| state.plan(actor, &planned, now)),
                sides,
            )
            .await;
        match outcome {
            Ok(executed) => Ok(executed),
            Err(JobError::Refused(refusal)) => {
                // Audited here, not by the writer: a refused command (which anyone can send)
                // never holds up everyone else's commits behind a disk write.
                self.audit_refusal(
                    &actor_label(actor),
                    &command_label(command),
                    &refusal.to_string(),
                )
                .await;
                Err(refusal.into())
            }
            Err(JobError::Failed(e)) => Err(e),
        }
    }

    /// Hand a job to the writer and wait for its answer (after its commit).
    async fn submit(
        &self,
        label: String,
        what: String,
        decide: Decide,
        sides: Vec<SideWrite>,
    ) -> Result<Executed, JobError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            label,
            what,
            decide,
            sides,
            reply,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(JobError::Failed(ApiError::Internal(
                "the writer has stopped",
            )));
        }
        answer
            .await
            .unwrap_or(Err(JobError::Failed(ApiError::Internal(
                "the writer has stopped",
            ))))
    }

    /// Audit something refused (a command, a stream open, input dropped): who, what, and a
    /// bounded excerpt of why (a refusal may quote the input it refused). Callers rate-limit
    /// what anyone can send before it gets here, so the audit cannot be grown without bound.
    pub async fn audit_refusal(&self, actor: &str, what: &str, why: &str) {
        let outcome: String = why.chars().take(MAX_AUDIT_CHARS).collect();
        if let Err(e) = self.store.audit(now_ms(), actor, what, &outcome).await {
            tracing::warn!(error = %e, "could not audit a refusal");
        }
        tracing::info!(%actor, %what, %outcome, "refused");
    }

    /// Record what the appliance itself saw happen (a customer client's connection dropping or
    /// coming back): `decide` reads the state as the writer has it and returns the events, if
    /// there is anything to record.
    ///
    /// # Errors
    /// A database failure; nothing changes then.
    pub async fn observe(
        &self,
        what: &str,
        decide: impl FnOnce(&State, Timestamp) -> Vec<Event> + Send + 'static,
    ) -> Result<Executed, ApiError> {
        let outcome = self
            .submit(
                "appliance".to_owned(),
                what.to_owned(),
                Box::new(move |state, now| Ok(decide(state, now))),
                Vec::new(),
            )
            .await;
        match outcome {
            Ok(executed) => Ok(executed),
            Err(JobError::Refused(refusal)) => Err(refusal.into()),
            Err(JobError::Failed(e)) => Err(e),
        }
    }

    /// Commit a batch of jobs in one transaction, then apply and publish their events, end the
    /// rights they end, and answer each. A database failure fails the whole batch; nothing
    /// changes then. No job is answered before the batch's outcome is known: a refusal judged
    /// against the batch's uncommitted state would be wrong if the batch failed.
    async fn commit_batch(self: &Arc<Self>, inner: &mut Inner, jobs: Vec<Job>) {
        let now = now_ms();
        let mut staged = Staged::default();
        let mut broken = false;
        // Jobs that will not commit anything, with their answer, and whether it was judged
        // against the batch's uncommitted state.
        let mut settled: Vec<(Reply, Result<Executed, JobError>, bool)> = Vec::new();
        for job in jobs {
            let Job {
                label,
                what,
                decide,
                sides,
                reply,
            } = job;
            if broken {
                settled.push((reply, Err(storage_failed()), true));
                continue;
            }
            let on_staged = staged.state.is_some();
            // A rule that panics fails its own command, not the writer: without the writer no
            // command could be carried out again.
            let view = staged.state.as_ref().unwrap_or(&inner.state);
            let decided = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                decide(view, timestamp(now))
            }));
            let Ok(decided) = decided else {
                tracing::error!(actor = %label, command = %what, "planning a command panicked");
                let failed =
                    JobError::Failed(ApiError::Internal("the command could not be planned"));
                settled.push((reply, Err(failed), false));
                continue;
            };
            let events = match decided {
                Err(refusal) => {
                    settled.push((reply, Err(JobError::Refused(refusal)), on_staged));
                    continue;
                }
                Ok(events) if events.is_empty() => {
                    settled.push((reply, Ok(Executed { events: Vec::new() }), on_staged));
                    continue;
                }
                Ok(events) => events,
            };
            match self
                .stage(inner, &mut staged, &label, &events, &sides, now)
                .await
            {
                Ok(outgoing) => staged.answers.push(Accepted {
                    reply,
                    outgoing,
                    label,
                    what,
                }),
                Err(Staging::Refused(e)) => {
                    settled.push((reply, Err(JobError::Failed(e)), on_staged))
                }
                Err(Staging::Broken(e)) => {
                    tracing::warn!(error = %e, "a commit failed; its batch is refused");
                    settled.push((reply, Err(storage_failed()), true));
                    broken = true;
                }
            }
        }
        let committed = match (staged.tx.take(), staged.state.is_some()) {
            // Nothing to commit (every side write failed): dropping the transaction rolls it back.
            (Some(_), false) | (None, _) => false,
            (Some(_), true) if broken => false,
            (Some(tx), true) => match tx.commit().await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "a commit failed; its batch is refused");
                    broken = true;
                    // The database may have committed it all the same (a connection lost
                    // during COMMIT): the state is read again from the store, so that memory
                    // and store agree and the next numbers do not clash; and any revocation
                    // in it is taken as stored.
                    self.store.forget_tokens();
                    self.reload(inner).await;
                    false
                }
            },
        };
        if broken {
            for accepted in std::mem::take(&mut staged.answers) {
                let _ = accepted.reply.send(Err(storage_failed()));
            }
        }
        if committed && let Some(next) = staged.state.take() {
            self.commits
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            inner.state = Arc::new(next);
            inner.last_seq = staged.seq;
            self.keep_snapshot(inner);
            // Readers see the commit before its events go out: a feed that subscribed, then
            // read the state, gets each event either in that state or from the feed (by number).
            self.committed.store(Arc::new(Committed {
                state: Arc::clone(&inner.state),
                last_seq: inner.last_seq,
            }));
            let mut answers = Vec::with_capacity(staged.answers.len());
            for accepted in staged.answers {
                tracing::info!(actor = %accepted.label, command = %accepted.what, events = accepted.outgoing.len(), "accepted");
                let published: Vec<Published> = accepted
                    .outgoing
                    .iter()
                    .map(|o| o.published.clone())
                    .collect();
                for o in accepted.outgoing {
                    // What is kept in memory for a session goes when the session ends.
                    if let Event::SessionEnded { session, .. } = &o.published.event {
                        self.forget_session(*session);
                    }
                    // Nobody listening is fine: consoles catch up from the store when they connect.
                    self.feeds.publish(&Arc::new(o));
                }
                answers.push((accepted.reply, published));
            }
            // …and so do the sockets opened with them, once the events that say why are on
            // their way (a feed delivers what is queued for it before it closes).
            // The rights ended are stored: no token of theirs is served from memory again.
            if !staged.ended.is_empty() {
                self.store.forget_tokens();
            }
            for (kind, subject) in staged.ended {
                self.connections.revoke_subject(kind, subject);
            }
            for (reply, published) in answers {
                let _ = reply.send(Ok(Executed { events: published }));
            }
        }
        for (reply, answer, on_staged) in settled {
            let answer = if broken && on_staged {
                Err(storage_failed())
            } else {
                answer
            };
            let _ = reply.send(answer);
        }
    }

    /// Store a copy of the state once enough events were committed since the last one. It is
    /// written by a task of its own, one at a time: the writer does not wait for it, and a copy
    /// that fails is tried again after as many events more.
    fn keep_snapshot(self: &Arc<Self>, inner: &mut Inner) {
        use std::sync::atomic::Ordering;
        if inner.last_seq - inner.snapshot_seq < self.config.snapshot_every
            || self.snapshotting.swap(true, Ordering::AcqRel)
        {
            return;
        }
        inner.snapshot_seq = inner.last_seq;
        let (appliance, seq) = (Arc::downgrade(self), inner.last_seq);
        crate::state_copy::save(
            self.store.clone(),
            Arc::clone(&inner.state),
            seq,
            move |stored| {
                if let Some(appliance) = appliance.upgrade() {
                    appliance.snapshotting.store(false, Ordering::Release);
                    if stored {
                        appliance.copies.send_replace(seq);
                    }
                }
            },
        );
    }

    /// Read the state again from the store, after a commit whose outcome is unknown.
    async fn reload(&self, inner: &mut Inner) {
        match crate::state_copy::replay(&self.store).await {
            Ok((state, last_seq, _)) => {
                inner.state = Arc::new(state);
                inner.last_seq = last_seq;
                self.committed.store(Arc::new(Committed {
                    state: Arc::clone(&inner.state),
                    last_seq,
                }));
            }
            Err(e) => tracing::error!(error = %e, "could not read the state again from the store"),
        }
    }

    /// Write one job's side writes and events into the batch's transaction and apply them to
    /// the batch's state.
    async fn stage(
        &self,
        inner: &Inner,
        staged: &mut Staged,
        label: &str,
        events: &[Event],
        sides: &[SideWrite],
        now: i64,
    ) -> Result<Vec<Outgoing>, Staging> {
        if staged.tx.is_none() {
            staged.tx = Some(
                self.store
                    .begin()
                    .await
                    .map_err(|e| Staging::Broken(e.into()))?,
            );
            staged.seq = inner.last_seq;
        }
        let Some(tx) = staged.tx.as_mut() else {
            return Err(Staging::Broken(ApiError::Internal("no transaction")));
        };
        // Side writes can fail for this command alone (a link used up by someone else first):
        // under a savepoint, so that the batch's other commands still commit.
        if !sides.is_empty() {
            Store::savepoint(tx)
                .await
                .map_err(|e| Staging::Broken(e.into()))?;
            for side in sides {
                if let Err(e) = self.side_write(tx, side, events, now).await {
                    Store::rollback_to_savepoint(tx)
                        .await
                        .map_err(|e| Staging::Broken(e.into()))?;
                    return Err(Staging::Refused(e));
                }
            }
            Store::release_savepoint(tx)
                .await
                .map_err(|e| Staging::Broken(e.into()))?;
            // The browser's click-to-chat socket closes once the full client's seat is committed.
            staged
                .ended
                .extend(sides.iter().filter_map(|side| match side {
                    SideWrite::UseDownload { session, .. } => Some((TokenKind::Customer, *session)),
                    _ => None,
                }));
        }
        // The batch's state is a copy made once; it becomes the state only once committed.
        // Each event's audience is who sees its subject before or after it.
        let next = staged
            .state
            .get_or_insert_with(|| State::clone(&inner.state));
        let mut outgoing = Vec::with_capacity(events.len());
        for event in events {
            staged.seq += 1;
            let session = event.session(next);
            let seen_before = seen_by(next, event);
            let ended = ended_rights(next, event);
            next.apply(event);
            let audience = either(seen_before, seen_by(next, event));
            Store::append(
                tx,
                staged.seq,
                now,
                session,
                audience.as_ref(),
                label,
                event,
            )
            .await
            .map_err(|e| Staging::Broken(e.into()))?;
            // A right that ends, ends with the command: its tokens stop working in the same commit.
            for (kind, subject) in &ended {
                Store::revoke_subject_in(tx, *kind, *subject)
                    .await
                    .map_err(|e| Staging::Broken(e.into()))?;
            }
            staged.ended.extend(ended);
            outgoing.push(Outgoing::new(
                Published {
                    seq: staged.seq,
                    at: now,
                    event: event.clone(),
                },
                session,
                audience,
            ));
        }
        Ok(outgoing)
    }

    async fn side_write(
        &self,
        tx: &mut crate::store::Tx<'_>,
        side: &SideWrite,
        events: &[Event],
        now: i64,
    ) -> Result<(), ApiError> {
        match side {
            SideWrite::Credential { password_hash } => {
                let technician = events.iter().find_map(|e| match e {
                    Event::TechnicianCreated { technician } => Some(technician.id.0),
                    Event::PasswordReset { technician } => Some(technician.0),
                    _ => None,
                });
                let technician =
                    technician.ok_or(ApiError::Internal("no technician to set a password for"))?;
                Store::set_credential(tx, id(technician), password_hash).await?;
            }
            SideWrite::Link { token_hash } => {
                let invitation = events.iter().find_map(|e| match e {
                    Event::InvitationSent { invitation, .. } => Some(invitation.id.0),
                    _ => None,
                });
                let invitation = invitation.ok_or(ApiError::Internal("no invitation to link"))?;
                Store::insert_link(tx, token_hash, id(invitation), now).await?;
            }
            SideWrite::RedeemLink { token_hash } => {
                if !Store::redeem_link(tx, token_hash, now).await? {
                    return Err(ApiError::AlreadyUsed(
                        "This invitation link has been used already",
                    ));
                }
            }
            SideWrite::UseSessionKey { key_hash } => {
                if !Store::use_session_key(tx, key_hash, now).await? {
                    return Err(ApiError::AlreadyUsed(
                        "This session key has been used already or has expired",
                    ));
                }
            }
            SideWrite::UseDownload {
                ticket_hash,
                session,
            } => {
                if !Store::use_download(tx, ticket_hash, now).await? {
                    return Err(ApiError::AlreadyUsed(
                        "This download has been used already or has expired",
                    ));
                }
                Store::revoke_subject_in(tx, TokenKind::Customer, *session).await?;
            }
            SideWrite::Token {
                kind,
                token_hash,
                ttl_ms,
            } => {
                let subject = events.iter().find_map(|e| match (kind, e) {
                    (TokenKind::Customer, Event::SessionStarted { session, .. })
                    | (TokenKind::Customer, Event::FullClientStarted { session, .. }) => {
                        Some(session.0)
                    }
                    (TokenKind::External, Event::ExternalJoined { external, .. }) => {
                        Some(external.id.0)
                    }
                    _ => None,
                });
                let subject = subject.ok_or(ApiError::Internal("nobody to issue a token to"))?;
                Store::insert_token(
                    tx,
                    token_hash,
                    *kind,
                    id(subject),
                    now,
                    now.saturating_add(*ttl_ms),
                )
                .await?;
            }
            SideWrite::BindToken {
                token_hash,
                public_key,
            } => Store::bind_token(tx, token_hash, public_key).await?,
        }
        Ok(())
    }
}

/// A batch on its way to its commit.
#[derive(Default)]
struct Staged {
    tx: Option<crate::store::Tx<'static>>,
    /// The state after the batch's events so far (copied from the committed one once).
    state: Option<State>,
    /// The number of the last event staged.
    seq: i64,
    /// The jobs staged, to answer once committed.
    answers: Vec<Accepted>,
    /// The rights the batch ends.
    ended: Vec<(TokenKind, i64)>,
}

/// A job staged in the batch: its answer, its events, and what to log once committed.
struct Accepted {
    reply: Reply,
    outgoing: Vec<Outgoing>,
    label: String,
    what: String,
}

fn storage_failed() -> JobError {
    JobError::Failed(ApiError::Internal("storage failed"))
}

/// Why a job could not be staged.
enum Staging {
    /// Its own side writes failed (rolled back): it alone is refused.
    Refused(ApiError),
    /// The database failed: the whole batch is refused.
    Broken(ApiError),
}

/// The writer task: takes what waits (up to [`MAX_BATCH`]) and commits it together.
async fn write(
    appliance: std::sync::Weak<Appliance>,
    mut inner: Inner,
    mut queue: mpsc::Receiver<Job>,
) {
    // Many events since the last copy (an appliance that never stored one): one now.
    if let Some(appliance) = appliance.upgrade() {
        appliance.keep_snapshot(&mut inner);
    }
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let Some(appliance) = appliance.upgrade() else {
            break;
        };
        // A panic while staging fails that batch (its callers are told the writer stopped) and
        // leaves the committed state as it was: it changes only after a commit, in code that
        // does not panic. The writer carries on with the next batch.
        let jobs = std::mem::take(&mut batch);
        let committing = std::panic::AssertUnwindSafe(appliance.commit_batch(&mut inner, jobs));
        if futures_util::FutureExt::catch_unwind(committing)
            .await
            .is_err()
        {
            tracing::error!("committing a batch panicked; its commands were refused");
        }
    }
}

tandem_core::debug_without_secrets!(Direct { session });
