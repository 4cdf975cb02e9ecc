//! How the appliance is started: where it keeps its data, where it listens, how it is reached.
use std::net::SocketAddr;
use std::path::PathBuf;

/// How connections are secured.
#[derive(Debug, Clone)]
pub enum TlsMode {
    /// A self-signed certificate, made on first start and kept in the data directory.
    SelfSigned,
    /// A certificate chain and private key in PEM files.
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
    /// Plain HTTP, for development on loopback only.
    InsecureLoopback,
}

/// The appliance's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Certificates, the SQLite database and anything else kept on disk.
    pub data_dir: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The support client's packages to serve (issue 27); `None`: `<data dir>/downloads`.
    pub downloads_dir: Option<PathBuf>,
    /// A directory holding a `tandem-customer` built for this very computer, served for its
    /// platform when the downloads directory has none (the demo: the same build's client).
    pub client_beside: Option<PathBuf>,
    /// A PostgreSQL URL for scale; `None` uses SQLite in the data directory.
    pub database_url: Option<String>,
    /// How connections are secured.
    pub tls: TlsMode,
    /// The address consoles and browsers use to reach the appliance. Links sent to people are
    /// built from this, never from a request's Host header.
    pub public_url: url::Url,
    /// Where mail goes (`smtp://host:port`, `smtps://user:pass@host`); `None` sends none.
    pub smtp_url: Option<String>,
    /// The sender of the appliance's mail.
    pub mail_from: String,
    /// A console further behind than this many events gets a fresh snapshot instead of the
    /// events it missed.
    pub max_backlog: i64,
    /// SHA-256 fingerprints of the certificates the Tandem Android app is signed with: the
    /// appliance vouches for the app in `/.well-known/assetlinks.json`, so invitation links open
    /// it (Android App Links). Empty: no such file.
    pub android_app_certificates: Vec<String>,
    /// Rate limits on sign-in and on requests that need no account.
    pub rate_limits: crate::limits::RateLimits,
    /// How long a console sign-in lasts (ms).
    pub sign_in_ms: i64,
    /// How long a socket's peer may be silent (no message, no answer to a ping) before the
    /// appliance counts it gone and closes the socket.
    pub dead_after: std::time::Duration,
    /// How long a session waits for a customer client whose connection dropped before it says
    /// the customer left (the client reconnects by itself meanwhile).
    pub customer_grace: std::time::Duration,
    /// How long a technician stays listed (S3) after their last console's connection drops:
    /// a phone switching networks is not signing out.
    pub presence_grace: std::time::Duration,
    /// How many times a mail is tried before the technician who caused it is told it was not
    /// sent.
    pub mail_attempts: u32,
    /// The most sockets one source address may hold open at once.
    pub max_sockets_per_source: usize,
    /// How many events between two stored copies of the whole state, from which the appliance
    /// starts rather than replaying every event ever stored (issue 14).
    pub snapshot_every: i64,
}

/// The default of [`Config::snapshot_every`]: start-up replays at most this many events, and a
/// copy is written (off the writer) about once per this many.
pub const DEFAULT_SNAPSHOT_EVERY: i64 = 10_000;

/// The default of [`Config::customer_grace`]: long enough for a computer to reboot.
pub const DEFAULT_CUSTOMER_GRACE: std::time::Duration = std::time::Duration::from_secs(180);

/// The default of [`Config::presence_grace`].
pub const DEFAULT_PRESENCE_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// The default of [`Config::dead_after`]: seconds, not minutes.
pub const DEFAULT_DEAD_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// The default of [`Config::max_backlog`].
pub const DEFAULT_MAX_BACKLOG: i64 = 5000;

impl Config {
    /// The directory the support client's packages are read from.
    #[must_use]
    pub fn effective_downloads_dir(&self) -> PathBuf {
        self.downloads_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("downloads"))
    }

    /// The database URL in use: the given one, or SQLite in the data directory.
    #[must_use]
    pub fn effective_database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tandem.sqlite3").display()
            )
        })
    }
}
