//! Test harness: a real appliance on loopback with real TLS, on SQLite or PostgreSQL, driven over
//! real HTTP and WebSocket; and a real SMTP server (Debian's aiosmtpd) when mail is tested.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::missing_panics_doc
)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tandem_appliance::Running;
use tandem_appliance::config::{Config, TlsMode};
use tandem_core::domain::Command;
use tokio_tungstenite::tungstenite::Message;

pub const PASSWORD: &str = tandem_appliance::demo::DEMO_PASSWORD;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL database for one test, in the cluster `TANDEM_TEST_POSTGRES_URL` names
/// (`./scripts/test` starts Debian's cluster and sets it).
pub async fn fresh_postgres() -> String {
    let admin = std::env::var("TANDEM_TEST_POSTGRES_URL")
        .expect("TANDEM_TEST_POSTGRES_URL is not set: run the tests through ./scripts/test, which starts PostgreSQL");
    let name = format!(
        "tandem_t_{}",
        tandem_appliance::secret::token()
            .to_lowercase()
            .replace(['-', '_'], "")[..16]
            .to_owned()
    );
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("database created");
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

/// A running appliance and clients that trust its certificate.
pub struct Harness {
    pub running: Option<Running>,
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
    pub base: String,
    pub http: reqwest::Client,
    pub tls: Arc<rustls::ClientConfig>,
    pub smtp_url: Option<String>,
    /// Changes the tests make to the configuration before each start.
    pub adjust: fn(&mut Config),
}

pub fn config(
    dir: &std::path::Path,
    database_url: Option<String>,
    smtp_url: Option<String>,
) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        downloads_dir: None,
        client_beside: None,
        database_url,
        tls: TlsMode::SelfSigned,
        public_url: url::Url::parse("https://tandem.example.test/").unwrap(),
        smtp_url,
        mail_from: "Tandem <tandem@example.test>".into(),
        max_backlog: tandem_appliance::config::DEFAULT_MAX_BACKLOG,
        android_app_certificates: Vec::new(),
        rate_limits: tandem_appliance::limits::RateLimits::default(),
        sign_in_ms: tandem_appliance::auth::TECHNICIAN_TOKEN_TTL_MS,
        dead_after: tandem_appliance::config::DEFAULT_DEAD_AFTER,
        customer_grace: tandem_appliance::config::DEFAULT_CUSTOMER_GRACE,
        presence_grace: tandem_appliance::config::DEFAULT_PRESENCE_GRACE,
        mail_attempts: 1,
        max_sockets_per_source: tandem_appliance::connections::DEFAULT_MAX_SOCKETS_PER_SOURCE,
        snapshot_every: tandem_appliance::config::DEFAULT_SNAPSHOT_EVERY,
    }
}

/// Clients that trust exactly the appliance's certificate, as a console pinning it would.
pub fn clients(cert_pem: &[u8]) -> (reqwest::Client, Arc<rustls::ClientConfig>) {
    let http = reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(cert_pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    (http, Arc::new(tls))
}

impl Harness {
    /// The appliance with the demo organisation.
    pub async fn start(db: Db) -> Self {
        Self::start_with(db, None).await
    }

    pub async fn start_with(db: Db, smtp_url: Option<String>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(fresh_postgres().await),
        };
        let mut h = Self {
            running: None,
            dir,
            database_url,
            base: String::new(),
            http: reqwest::Client::new(),
            tls: Arc::new(
                rustls::ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
            ),
            smtp_url,
            adjust: |_| {},
        };
        h.restart().await;
        h
    }

    /// Stop (if running) and start again on the same data.
    pub async fn restart(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        let mut cfg = config(
            self.dir.path(),
            self.database_url.clone(),
            self.smtp_url.clone(),
        );
        (self.adjust)(&mut cfg);
        let running = tandem_appliance::start(cfg, true)
            .await
            .expect("the appliance starts");
        let pem = std::fs::read(self.dir.path().join("tls-cert.pem")).unwrap();
        (self.http, self.tls) = clients(&pem);
        // The certificate is for "localhost", as a reviewer's console on the same machine sees it.
        self.base = format!("https://localhost:{}", running.addr.port());
        self.running = Some(running);
    }

    pub fn appliance(&self) -> &tandem_appliance::appliance::Appliance {
        &self.running.as_ref().unwrap().appliance
    }

    pub async fn last_seq(&self) -> i64 {
        self.appliance()
            .store
            .all_events()
            .await
            .unwrap()
            .last()
            .map_or(0, |e| e.seq)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request
            .send()
            .await
            .expect("the request reaches the appliance");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    /// A domain command through the one command endpoint.
    pub async fn command(&self, token: &str, command: &Command) -> (u16, Value) {
        self.post(
            "/api/v1/commands",
            Some(token),
            serde_json::to_value(command).unwrap(),
        )
        .await
    }

    /// A command that must be accepted; returns its response.
    pub async fn ok(&self, token: &str, command: &Command) -> Value {
        let (status, body) = self.command(token, command).await;
        assert_eq!(status, 200, "{command:?} was refused: {body}");
        body
    }

    pub async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "login {email}: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// A customer joins the technician's personal queue with a fresh session key.
    pub async fn customer_joins(&self, technician_token: &str, name: &str) -> (String, u64) {
        let (status, key) = self
            .post("/api/v1/session-keys", Some(technician_token), json!({}))
            .await;
        assert_eq!(status, 200, "{key}");
        let customer = json!({"name": name, "machine": format!("{name}-pc"), "platform": "Windows", "mode": "Full"});
        let (status, joined) = self
            .post(
                "/api/v1/customer/join",
                None,
                json!({"key": key["key"], "customer": customer}),
            )
            .await;
        assert_eq!(status, 200, "{joined}");
        (
            joined["token"].as_str().unwrap().to_owned(),
            joined["session"].as_u64().unwrap(),
        )
    }

    /// The owner invites an external user with no account under `policy` (X1), who redeems
    /// the link: their credential.
    pub async fn external_joins(
        &self,
        owner_token: &str,
        session: tandem_core::domain::SessionId,
        policy: tandem_core::domain::PolicyId,
        name: &str,
    ) -> String {
        let invited = self
            .ok(
                owner_token,
                &Command::InviteExternal {
                    session,
                    policy,
                    invitee: tandem_core::domain::ExternalInvitee::Anyone {
                        name: name.into(),
                        email: None,
                    },
                    comments: "Knows the accounting software".into(),
                },
            )
            .await;
        let link = invited["link"].as_str().unwrap();
        let token = link.rsplit_once("/join/").unwrap().1;
        let (status, redeemed) = self
            .post("/api/v1/external/redeem", None, json!({"token": token}))
            .await;
        assert_eq!(status, 200, "{redeemed}");
        redeemed["token"].as_str().unwrap().to_owned()
    }

    pub async fn ws(&self, token: &str, since: Option<i64>) -> Ws {
        let mut url = format!(
            "wss://localhost:{}/api/v1/events?access_token={token}",
            self.running.as_ref().unwrap().addr.port()
        );
        if let Some(n) = since {
            url.push_str(&format!("&since={n}"));
        }
        Ws::connect(&url, self.tls.clone()).await
    }

    /// Drop the test's PostgreSQL database.
    pub async fn finish(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
        if let (Some(url), Ok(admin)) = (
            &self.database_url,
            std::env::var("TANDEM_TEST_POSTGRES_URL"),
        ) {
            let name = url.rsplit_once('/').unwrap().1.to_owned();
            if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await {
                let _ = sqlx::Executor::execute(
                    &mut conn,
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                )
                .await;
            }
        }
    }
}

/// A WebSocket client of the event feed.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    pub async fn connect(url: &str, tls: Arc<rustls::ClientConfig>) -> Self {
        let (stream, _) = tokio_tungstenite::connect_async_tls_with_config(
            url,
            None,
            false,
            Some(tokio_tungstenite::Connector::Rustls(tls)),
        )
        .await
        .expect("the event socket opens");
        Self { stream }
    }

    /// The next JSON message, waiting at most ten seconds.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("a message within 10 s")
                .expect("the socket stays open")
                .expect("a well-formed frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(text.as_str()).unwrap();
            }
        }
    }

    /// Messages until one satisfies `done`, returning all of them.
    pub async fn until(&mut self, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let m = self.next().await;
            let stop = done(&m);
            seen.push(m);
            if stop {
                return seen;
            }
        }
    }

    pub async fn ping(&mut self, nonce: u64) {
        self.stream
            .send(Message::Text(
                json!({"type": "ping", "nonce": nonce}).to_string().into(),
            ))
            .await
            .unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }

    /// The close code the appliance ends the socket with, reading past what comes before it;
    /// waiting at most ten seconds.
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("closed within 10 s");
            match message {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    }
}

/// A real SMTP server on loopback (Debian's aiosmtpd), storing what it receives in a Maildir.
pub struct Smtp {
    child: Child,
    dir: tempfile::TempDir,
    pub url: String,
}

impl Smtp {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Process::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd runs (Debian package python3-aiosmtpd, installed by scripts/setup)");
        let smtp = Self {
            child,
            dir,
            url: format!("smtp://127.0.0.1:{port}"),
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the SMTP server did not start"
            );
            std::thread::yield_now();
        }
        smtp
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    /// The first received message containing `needle`, waiting up to fifteen seconds for it.
    pub async fn message_containing(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(entries) = std::fs::read_dir(self.maildir()) {
                for entry in entries.flatten() {
                    let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                    if text.contains(needle) {
                        return text;
                    }
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no mail containing {needle:?} arrived"
            );
            // Poll the mailbox: the appliance sends in the background after answering.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(self.maildir()).map_or(0, Iterator::count)
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run an async test body on both databases.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::support::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::support::Db::Postgres).await;
            }
        }
    )*};
}
