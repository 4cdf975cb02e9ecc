//! How the elevated process takes the session over on Windows (E2): a named pipe, not a file.
//! The unprivileged client makes a pipe with an unguessable name and a one-time secret, starts
//! the elevated copy with both on its command line (which a process of lower integrity cannot
//! read), and gives the session (`Resume`: token, proof key) only to the pipe client that says
//! the secret first: a process that connects to the pipe before the real one learns nothing and
//! is dropped. Then the pipe carries the customer's lines both ways, as sudo's pipes do on
//! Linux. The token never touches the disk, where another account (Provide Credentials runs as
//! the technician's administrator) could not read it anyway.
use super::{ElevationError, READY, Resume};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, Lines};
use tokio::net::windows::named_pipe::{
    ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
};

/// How many wrong clients the pipe drops before giving up.
const MAX_INTRUDERS: usize = 4;

/// Where the elevated copy connects and what it must say: `name:secret`, one argument.
#[derive(Clone)]
pub struct Rendezvous {
    /// `\\.\pipe\tandem-elevate-<random>`.
    pub name: String,
    /// 32 random bytes, hex.
    pub secret: String,
}

impl std::fmt::Debug for Rendezvous {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendezvous")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn random_hex(bytes: usize) -> Result<String, ElevationError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| ElevationError::Failed(format!("no randomness: {e}")))?;
    Ok(buffer.iter().map(|b| format!("{b:02x}")).collect())
}

impl Rendezvous {
    /// A new pipe name and secret.
    ///
    /// # Errors
    /// When the system gives no randomness.
    pub fn new() -> Result<Self, ElevationError> {
        Ok(Self {
            name: format!(r"\\.\pipe\tandem-elevate-{}", random_hex(16)?),
            secret: random_hex(32)?,
        })
    }

    /// The command-line argument (`--handover` takes it).
    #[must_use]
    pub fn argument(&self) -> String {
        format!("{}:{}", self.name, self.secret)
    }

    /// Read an argument back.
    #[must_use]
    pub fn parse(argument: &str) -> Option<Self> {
        let (name, secret) = argument.rsplit_once(':')?;
        (name.starts_with(r"\\.\pipe\tandem-elevate-") && secret.len() == 64).then(|| Self {
            name: name.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The pipe, made before the elevated copy starts (only the first instance: a pipe of the
    /// same name made earlier by another process makes this fail).
    ///
    /// # Errors
    /// When it cannot be made.
    pub fn listen(&self) -> Result<NamedPipeServer, ElevationError> {
        ServerOptions::new()
            .first_pipe_instance(true)
            .reject_remote_clients(true)
            .max_instances(1)
            .create(&self.name)
            .map_err(|e| ElevationError::Failed(format!("no pipe for the hand-over: {e}")))
    }
}

/// The unprivileged side: wait for the elevated copy, check its secret, give it the session, and
/// wait until it says it has taken over (`READY`). `started` ends when the copy (or the program
/// that starts it) has exited: an exit before the hand-over is a refusal (UAC's No).
///
/// # Errors
/// An [`ElevationError`]; the session is then untouched.
pub async fn give(
    rendezvous: &Rendezvous,
    mut pipe: NamedPipeServer,
    resume: &Resume,
    started: impl std::future::Future<Output = Option<u32>>,
    timeout: Duration,
) -> Result<
    (
        Box<dyn AsyncWrite + Send + Unpin>,
        Lines<BufReader<Box<dyn AsyncRead + Send + Unpin>>>,
    ),
    ElevationError,
> {
    let json = serde_json::to_string(resume).map_err(|e| ElevationError::Failed(e.to_string()))?;
    let handed = async {
        let mut intruders = 0;
        loop {
            pipe.connect()
                .await
                .map_err(|e| ElevationError::Failed(format!("the hand-over pipe: {e}")))?;
            let (read, mut write) = tokio::io::split(pipe);
            let mut lines = BufReader::new(read).lines();
            let said = lines.next_line().await.ok().flatten();
            if said.as_deref() == Some(rendezvous.secret.as_str()) {
                write
                    .write_all(format!("{json}\n").as_bytes())
                    .await
                    .map_err(|e| ElevationError::Failed(format!("the hand-over pipe: {e}")))?;
                loop {
                    match lines.next_line().await {
                        Ok(Some(line)) if line == READY => break,
                        Ok(Some(_)) => {}
                        Ok(None) | Err(_) => {
                            return Err(ElevationError::Failed(
                                "the elevated client stopped before taking over".into(),
                            ));
                        }
                    }
                }
                let read: Box<dyn AsyncRead + Send + Unpin> = Box::new(lines.into_inner());
                let write: Box<dyn AsyncWrite + Send + Unpin> = Box::new(write);
                return Ok((write, BufReader::new(read).lines()));
            }
            tracing::warn!("a process without the secret connected to the hand-over pipe; dropped");
            intruders += 1;
            if intruders >= MAX_INTRUDERS {
                return Err(ElevationError::Failed(
                    "the hand-over pipe was attacked".into(),
                ));
            }
            let pipe_again = lines.into_inner().into_inner().unsplit(write);
            pipe_again
                .disconnect()
                .map_err(|e| ElevationError::Failed(format!("the hand-over pipe: {e}")))?;
            pipe = pipe_again;
        }
    };
    tokio::select! {
        handed = tokio::time::timeout(timeout, handed) => handed.unwrap_or_else(|_| {
            Err(ElevationError::Failed("the elevated client did not start in time".into()))
        }),
        code = started => Err(match code {
            // ERROR_CANCELLED: the customer said No at the Windows prompt.
            Some(1223) => ElevationError::Refused("the customer declined at the Windows prompt".into()),
            Some(code) => ElevationError::Failed(format!("the elevated client exited ({code}) before taking over")),
            None => ElevationError::Failed("the elevated client could not be followed".into()),
        }),
    }
}

/// The elevated side: connect, say the secret, and read the session.
///
/// # Errors
/// When the pipe is gone or says nothing usable.
pub async fn take(rendezvous: &Rendezvous) -> std::io::Result<(Resume, NamedPipeClient)> {
    let mut client = None;
    for _ in 0..50 {
        match ClientOptions::new().open(&rendezvous.name) {
            Ok(c) => {
                client = Some(c);
                break;
            }
            // ERROR_PIPE_BUSY: the server is between clients.
            Err(e) if e.raw_os_error() == Some(231) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e),
        }
    }
    let mut client =
        client.ok_or_else(|| std::io::Error::other("the hand-over pipe stayed busy"))?;
    client
        .write_all(format!("{}\n", rendezvous.secret).as_bytes())
        .await?;
    // One line: the session. Read byte by byte so nothing after it is taken from the pipe.
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 64 * 1024 {
        tokio::io::AsyncReadExt::read_exact(&mut client, &mut byte).await?;
        if byte[0] == b'\n' {
            let resume = serde_json::from_slice(&line)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            return Ok((resume, client));
        }
        line.push(byte[0]);
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "the session is too long",
    ))
}
