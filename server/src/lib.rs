//! The Tandem appliance: the HTTPS and WebSocket server that consoles and customer clients
//! connect to. It enforces every product rule by calling `tandem_core::domain` and never
//! re-implements one; it persists what happened, and tells everyone concerned.
pub mod accounts;
pub mod api;
pub mod appliance;
pub mod auth;
pub mod config;
pub mod connections;
pub mod demo;
pub mod downloads;
pub mod error;
pub mod feeds;
pub mod limits;
pub mod mail;
pub mod migrations;
pub mod proof;
pub mod redact;
pub mod relay;
pub mod reports;
pub mod second_factor;
pub mod secret;
pub mod signed_pe;
pub mod state_copy;
pub mod store;
pub mod tls;
pub mod token_cache;
pub mod viewports;
pub mod views;
pub mod visibility;
pub mod web;
pub mod ws;

use crate::appliance::Appliance;
use crate::config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Why the appliance could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// Mail could not be set up.
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    /// The demo data could not be made.
    #[error("demo data: {0}")]
    Demo(#[from] error::ApiError),
    /// Listening failed.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration is unsafe or inconsistent.
    #[error("{0}")]
    Config(String),
}

/// A started appliance.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The appliance itself.
    pub appliance: Arc<Appliance>,
    /// Whether demo data was made on this start.
    pub seeded: bool,
    handle: axum_server::Handle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stop accepting connections, let running requests finish (briefly), and wait.
    pub async fn shutdown(self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        let _ = self.server.await;
    }

    /// Wait until the server stops.
    ///
    /// # Errors
    /// When serving failed.
    pub async fn wait(self) -> std::io::Result<()> {
        self.server
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }

    /// Ask the server to stop gracefully (from a signal handler).
    #[must_use]
    pub fn handle(&self) -> axum_server::Handle {
        self.handle.clone()
    }
}

/// A client must send a request's headers within this time: a connection that trickles them
/// (one line every few seconds) is closed instead of held.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Time limits on every connection: request headers must arrive within
/// [`HEADER_READ_TIMEOUT`] (hyper applies none without a timer), and HTTP/2 connections are
/// pinged and dropped when the peer stops answering. (The TLS handshake has axum-server's own
/// 10-second limit.)
fn bound_connections(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder
        .http2()
        .timer(hyper_util::rt::TokioTimer::new())
        .keep_alive_interval(Duration::from_secs(20))
        .keep_alive_timeout(Duration::from_secs(20));
}

/// Start the appliance: TLS, storage, optional demo data, then serve until shut down.
///
/// # Errors
/// A [`StartError`] when anything it needs is missing or refused.
pub async fn start(config: Config, demo: bool) -> Result<Running, StartError> {
    if matches!(config.tls, config::TlsMode::InsecureLoopback) && !config.listen.ip().is_loopback()
    {
        return Err(StartError::Config(format!(
            "plain HTTP is allowed on loopback only, not on {}; drop --insecure-http or listen on 127.0.0.1",
            config.listen
        )));
    }
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        StartError::Config(format!("data directory {}: {e}", config.data_dir.display()))
    })?;
    let identity = tls::identity(&config)?;
    let store = store::Store::open(&config.effective_database_url()).await?;
    let mailer = config
        .smtp_url
        .as_deref()
        .map(|url| mail::Mailer::new(url, &config.mail_from))
        .transpose()?;
    let fingerprint = identity.as_ref().map(|i| i.fingerprint.clone());
    let appliance = Appliance::load(store, config.clone(), fingerprint, mailer).await?;
    // Nobody is connected yet: sessions wait for their customers' clients to come back.
    appliance.await_clients();
    let seeded = if demo {
        demo::seed(&appliance).await?
    } else {
        false
    };
    // The peer's address reaches the handlers: rate limits are kept per source address.
    let app = api::router(appliance.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let sweeper = appliance.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            sweeper.limits.sweep();
        }
    });
    let handle = axum_server::Handle::new();
    let server = match identity {
        Some(identity) => {
            let tls = axum_server::tls_rustls::RustlsConfig::from_config(identity.server_config);
            let mut server = axum_server::bind_rustls(config.listen, tls).handle(handle.clone());
            bound_connections(server.http_builder());
            tokio::spawn(server.serve(app))
        }
        None => {
            let mut server = axum_server::bind(config.listen).handle(handle.clone());
            bound_connections(server.http_builder());
            tokio::spawn(server.serve(app))
        }
    };
    let addr = handle.listening().await.ok_or(StartError::Listen {
        addr: config.listen,
        source: std::io::Error::other("the server stopped before listening"),
    })?;
    Ok(Running {
        addr,
        appliance,
        seeded,
        handle,
        server,
    })
}
