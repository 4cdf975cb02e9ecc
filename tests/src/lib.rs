//! End-to-end test support: the real appliance binary started as its own process, a TCP proxy
//! a test controls to cut and restore a console's network, a link shaper ([`shaper`]), and a
//! virtual X display ([`Display`]), and a real browser ([`browser`]).
pub mod browser;
pub mod shaper;

mod display;
pub use display::Display;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tandem_core::client::Endpoint;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// Why the appliance could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The binary is not built.
    #[error(
        "the appliance binary {0} is missing: build it first (`cargo build -p tandem-appliance`; ./scripts/test does)"
    )]
    Missing(PathBuf),
    /// Starting or reading it failed.
    #[error("the appliance did not start: {0}")]
    Io(#[from] std::io::Error),
    /// It stopped before saying where it listens.
    #[error("the appliance stopped before it was ready")]
    NotReady,
}

/// The appliance binary of the same build (`target/<profile>/tandem-appliance`), beside this
/// executable (a binary such as `appliance-bench`) or one level up (a test in `deps/`).
///
/// # Errors
/// When the current executable's location is unknown.
pub fn appliance_binary() -> Result<PathBuf, StartError> {
    let exe = std::env::current_exe()?;
    let name = format!("tandem-appliance{}", std::env::consts::EXE_SUFFIX);
    let here = exe.parent().ok_or(StartError::NotReady)?;
    if here.join(&name).exists() {
        return Ok(here.join(name));
    }
    let profile_dir = here.parent().ok_or(StartError::NotReady)?;
    Ok(profile_dir.join(name))
}

/// A running appliance process with the demo organisation.
#[derive(Debug)]
pub struct Appliance {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its certificate's fingerprint, as it printed it.
    pub fingerprint: String,
    extra: Vec<String>,
    _data: tempfile::TempDir,
}

impl Appliance {
    /// Start `tandem-appliance demo` on a loopback port with a fresh data directory.
    ///
    /// # Errors
    /// A [`StartError`].
    pub async fn start() -> Result<Self, StartError> {
        Self::start_with(&[]).await
    }

    /// [`Appliance::start`] with more arguments (`--sign-in-seconds 2`, …).
    ///
    /// # Errors
    /// A [`StartError`].
    pub async fn start_with(extra: &[&str]) -> Result<Self, StartError> {
        let data = tempfile::tempdir()?;
        let extra: Vec<String> = extra.iter().map(|a| (*a).to_owned()).collect();
        let (child, addr, fingerprint) = spawn(data.path(), &extra).await?;
        Ok(Self {
            child,
            addr,
            fingerprint,
            extra,
            _data: data,
        })
    }

    /// Kill it (SIGKILL) and start it again on the same data, as after a crash; returns once it
    /// says it is ready (on a new port: see [`Appliance::addr`]).
    ///
    /// # Errors
    /// A [`StartError`].
    pub async fn restart(&mut self) -> Result<(), StartError> {
        let _ = self.child.kill().await;
        let (child, addr, fingerprint) = spawn(self._data.path(), &self.extra).await?;
        (self.child, self.addr, self.fingerprint) = (child, addr, fingerprint);
        Ok(())
    }

    /// Its process id, to read its memory use from `/proc`.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The endpoint a console uses, pinned to the printed fingerprint.
    ///
    /// # Errors
    /// Never for a started appliance.
    pub fn endpoint(&self) -> Result<Endpoint, tandem_core::client::ClientError> {
        Endpoint::new(
            &format!("https://localhost:{}/", self.addr.port()),
            &self.fingerprint,
        )
    }

    /// Its self-signed certificate (PEM), for clients that trust exactly it.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn cert_pem(&self) -> std::io::Result<Vec<u8>> {
        std::fs::read(self._data.path().join("tls-cert.pem"))
    }

    /// What it has logged (warnings and errors), for a failing test to show.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._data.path().join("appliance.log")).unwrap_or_default()
    }

    /// Stop it.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Start `tandem-appliance demo` on `data` and read where it listens and its fingerprint.
async fn spawn(
    data: &std::path::Path,
    extra: &[String],
) -> Result<(Child, SocketAddr, String), StartError> {
    let binary = appliance_binary()?;
    if !binary.exists() {
        return Err(StartError::Missing(binary));
    }
    // No support client to serve unless a test gives one (`--downloads`): not the build's own,
    // which the demo would otherwise read at every start.
    let downloads = if extra.iter().any(|a| a == "--downloads") {
        Vec::new()
    } else {
        vec![
            "--downloads".into(),
            data.join("downloads").display().to_string(),
        ]
    };
    let mut child = Command::new(binary)
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(extra)
        .args(downloads)
        .env("TANDEM_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(data.join("appliance.log"))?,
        ))
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or(StartError::NotReady)?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut addr, mut fingerprint) = (None, None);
    while let Some(line) = lines.next_line().await? {
        if let Some(a) = line.strip_prefix("Tandem appliance listening on ") {
            addr = a.parse().ok();
        }
        if let Some(f) = line
            .trim()
            .strip_prefix("TLS certificate SHA-256 fingerprint: ")
        {
            fingerprint = Some(f.to_owned());
        }
        if line == "ready" {
            break;
        }
    }
    match (addr, fingerprint) {
        (Some(addr), Some(fingerprint)) => Ok((child, addr, fingerprint)),
        _ => Err(StartError::NotReady),
    }
}

/// A TCP proxy in front of the appliance whose connections a test can cut, as a phone's network
/// drops: `cut` severs every open connection and refuses new ones until `restore`.
#[derive(Debug)]
pub struct Proxy {
    /// Where consoles connect.
    pub addr: SocketAddr,
    open: Arc<AtomicBool>,
    /// The local address the proxy's connections to the appliance come from: a phone that
    /// changes networks comes back from another address.
    source: Arc<std::sync::Mutex<std::net::IpAddr>>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// A proxy to `upstream`.
    ///
    /// # Errors
    /// When no loopback port is free.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let open = Arc::new(AtomicBool::new(true));
        let source = Arc::new(std::sync::Mutex::new(std::net::IpAddr::from([
            127, 0, 0, 1,
        ])));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (open2, connections2, source2) = (open.clone(), connections.clone(), source.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !open2.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let from = source2
                    .lock()
                    .map_or(std::net::IpAddr::from([127, 0, 0, 1]), |s| *s);
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = connect_from(from, upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                connections2.lock().await.push(pipe);
            }
        });
        Ok(Self {
            addr,
            open,
            source,
            connections,
            accept,
        })
    }

    /// Accept connections again, now from another local address (any of 127.0.0.0/8).
    pub fn restore_from(&self, source: std::net::IpAddr) {
        if let Ok(mut s) = self.source.lock() {
            *s = source;
        }
        self.restore();
    }

    /// Drop every connection and refuse new ones.
    pub async fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        for pipe in self.connections.lock().await.drain(..) {
            pipe.abort();
        }
    }

    /// Accept connections again.
    pub fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }

    /// The endpoint through this proxy.
    ///
    /// # Errors
    /// Never for a started proxy.
    pub fn endpoint(
        &self,
        fingerprint: &str,
    ) -> Result<Endpoint, tandem_core::client::ClientError> {
        Endpoint::new(
            &format!("https://localhost:{}/", self.addr.port()),
            fingerprint,
        )
    }
}

/// A connection to `upstream` from the local address `from`.
async fn connect_from(from: std::net::IpAddr, upstream: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(upstream).await
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
