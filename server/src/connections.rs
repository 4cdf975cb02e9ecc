//! Every long-lived socket (event feed, shell and screen streams, jump agent) is registered
//! under the credential it was opened with. When that credential ends (sign-out, revocation
//! with the command that ends the right) the appliance cancels the sockets at once: a right
//! that ends, ends on the open sockets too, without waiting for the next request. Expiry is
//! each socket's own deadline ([`Credential::expires_at`]).
use crate::auth::Credential;
use crate::store::TokenKind;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_util::sync::CancellationToken;

/// The most sockets one credential may hold open at once: a console needs its feed, a shell
/// and a screen, times a few devices' reconnections overlapping.
pub const MAX_SOCKETS_PER_CREDENTIAL: usize = 16;

/// The default of the most sockets one source address (an IPv6 /64) may hold open at once, over
/// all its credentials (`--max-sockets-per-source`): an office behind one NAT address holds many
/// technicians' consoles and customers' clients, but not without end. Behind a reverse proxy
/// every client shares its address: raise it there.
pub const DEFAULT_MAX_SOCKETS_PER_SOURCE: usize = 256;

/// The largest message a client may send on a socket that carries only small control messages
/// (the event feed's pings, a viewer's pointer and keys, a jump agent's answers).
pub const MAX_CONTROL_MESSAGE: usize = 64 * 1024;
/// The largest message of shell output a customer client may send (its PTY reads are 8 KiB).
/// A session keeps the last 256 for slow viewers, so this bounds that backlog to 16 MiB.
pub const MAX_SHELL_MESSAGE: usize = 64 * 1024;
/// The largest screen update a customer client may send: a key frame of a large desktop in
/// zstd tiles, with room to spare (a 1080p key frame is about 250 KB).
pub const MAX_SCREEN_MESSAGE: usize = 16 * 1024 * 1024;

/// Why an open socket was closed by the appliance, as its close frame says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The credential was revoked: signed out, removed, logged out (X5), unpinned.
    Revoked,
    /// The credential's lifetime ran out.
    Expired,
    /// The right to this stream ended (a permission removed, the tool closed).
    NoLongerAllowed,
}

impl Ended {
    /// The WebSocket close code (private range 4000–4999) and reason.
    #[must_use]
    pub fn close_frame(self) -> (u16, &'static str) {
        match self {
            Self::Revoked => (4001, "signed out or removed"),
            Self::Expired => (4002, "sign-in expired"),
            Self::NoLongerAllowed => (4003, "no longer allowed"),
        }
    }
}

struct Entry {
    token_hash: String,
    source: Option<std::net::IpAddr>,
    kind: TokenKind,
    subject: i64,
    cancel: CancellationToken,
}

/// The open sockets, by the credential they were opened with.
#[derive(Default)]
pub struct Connections {
    open: Mutex<HashMap<u64, Entry>>,
    next: AtomicU64,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.open.lock().map_or(0, |o| o.len());
        f.debug_struct("Connections").field("open", &open).finish()
    }
}

/// One registered socket; dropping it unregisters.
#[derive(Debug)]
pub struct Registration<'a> {
    connections: &'a Connections,
    id: u64,
    cancel: CancellationToken,
}

impl Registration<'_> {
    /// Resolves when the socket's credential was revoked.
    pub async fn revoked(&self) {
        self.cancel.cancelled().await;
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        if let Ok(mut open) = self.connections.open.lock() {
            open.remove(&self.id);
        }
    }
}

impl Connections {
    /// Register a socket opened with `credential` until the registration is dropped.
    pub fn register(&self, credential: &Credential) -> Registration<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let cancel = CancellationToken::new();
        if let Ok(mut open) = self.open.lock() {
            open.insert(
                id,
                Entry {
                    token_hash: credential.token_hash.clone(),
                    source: credential.source,
                    kind: credential.kind,
                    subject: credential.subject,
                    cancel: cancel.clone(),
                },
            );
        }
        Registration {
            connections: self,
            id,
            cancel,
        }
    }

    fn cancel_where(&self, matches: impl Fn(&Entry) -> bool) -> usize {
        let Ok(open) = self.open.lock() else {
            return 0;
        };
        let mut closed = 0;
        for entry in open.values().filter(|e| matches(e)) {
            entry.cancel.cancel();
            closed += 1;
        }
        closed
    }

    /// Close every socket opened with one token (sign-out on one device).
    pub fn revoke_token(&self, token_hash: &str) -> usize {
        self.cancel_where(|e| e.token_hash == token_hash)
    }

    /// Close every socket of one subject (a removed customer, an external user logged out, an
    /// unpinned jump client).
    pub fn revoke_subject(&self, kind: TokenKind, subject: i64) -> usize {
        self.cancel_where(|e| e.kind == kind && e.subject == subject)
    }

    /// Whether one more socket may be opened with this credential: at most
    /// [`MAX_SOCKETS_PER_CREDENTIAL`], so that a token cannot hold unbounded memory in sockets.
    ///
    /// # Errors
    /// `TooManyRequests` when the credential has as many open as it may.
    pub fn admit(
        &self,
        credential: &Credential,
        per_source: usize,
    ) -> Result<(), crate::error::ApiError> {
        let (mine, from_there) = self.open.lock().map_or((0, 0), |o| {
            let mine = o
                .values()
                .filter(|e| e.token_hash == credential.token_hash)
                .count();
            let from_there = credential.source.map_or(0, |source| {
                o.values().filter(|e| e.source == Some(source)).count()
            });
            (mine, from_there)
        });
        if mine >= MAX_SOCKETS_PER_CREDENTIAL || from_there >= per_source {
            return Err(crate::error::ApiError::TooManyRequests { retry_after_s: 5 });
        }
        Ok(())
    }

    /// How many sockets are open.
    #[must_use]
    pub fn open(&self) -> usize {
        self.open.lock().map_or(0, |o| o.len())
    }
}

/// Whether a socket's peer is still there: it is pinged every third of the silence allowed, and
/// counted gone once silent (no message, no pong) for longer than that. A phone that lost its
/// network, or a killed client, is found within seconds, not when TCP gives up.
#[derive(Debug)]
pub struct Liveness {
    ticker: tokio::time::Interval,
    heard: tokio::time::Instant,
    dead_after: std::time::Duration,
}

impl Liveness {
    /// Watch a peer that may be silent for at most `dead_after`.
    #[must_use]
    pub fn new(dead_after: std::time::Duration) -> Self {
        // The first ping goes out a period after connecting, not at once.
        let period = dead_after / 3;
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            ticker,
            heard: tokio::time::Instant::now(),
            dead_after,
        }
    }

    /// The peer said something (any message or pong).
    pub fn heard(&mut self) {
        self.heard = tokio::time::Instant::now();
    }

    /// Wait for the next check: `true` when the peer has been silent too long (close the
    /// socket), `false` when it is time to ping it.
    pub async fn tick(&mut self) -> bool {
        self.ticker.tick().await;
        self.heard.elapsed() > self.dead_after
    }
}
