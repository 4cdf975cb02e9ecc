//! Abuse resistance: rate limits per source address, per network and per account name, and a
//! bounded, per-account fair pool for password hashing.
//!
//! The limiters are `governor`'s keyed GCRA limiters (a maintained crate, lock-free, with a
//! `retain_recent` sweep that keeps memory bounded by recent sources only) rather than
//! hand-written counters. Login is throttled per source address, per network (/24, /48), per
//! (account name, source), and per account name from all addresses together except those the
//! account signed in from before: guesses spread over many addresses stay bounded while the
//! owner on a known device still gets in. An unknown address is throttled exactly as a known
//! one, so a 429 tells nothing about which addresses are accounts. Nothing locks an account out
//! of the addresses it uses.
//!
//! A sign-in for an address that is no account is never hashed: it waits as long as a real
//! check takes lately, so a flood of made-up accounts spends neither CPU nor the hashing lane
//! (issue 26). Checks of a real account from addresses it has not used take at most two places
//! in the queue at once, so a flood aimed at one account does not stand before the others.
//!
//! Password hashing (argon2id: tens of milliseconds of CPU) runs on blocking threads, at most one
//! fewer at once than there are cores (at least one), so a flood of bad logins never stalls the async workers that
//! serve everyone else. One more lane is kept for sign-ins of an account from an address it has
//! signed in from before: a flood of wrong passwords (which cannot enter that set) queues behind
//! itself, not in front of the technicians it is not.
use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// A limit: `burst` requests at once, then one more every `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// How many requests may come at once.
    pub burst: u32,
    /// How often one more is allowed after that.
    pub every: Duration,
}

impl Rate {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The limits in force; configurable (see `Config`), with defaults a person never meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts from one address, whatever the account.
    pub login_per_source: Rate,
    /// Sign-in attempts for one account name from one address.
    pub login_per_account: Rate,
    /// Sign-in attempts from one network (an IPv4 /24, an IPv6 /48), whatever the account:
    /// rotating addresses within one network gains little (issue 26).
    pub login_per_network: Rate,
    /// Sign-in attempts for one account name from every address together, but those from an
    /// address the account signed in from before: guesses spread over many addresses stay
    /// bounded, and the owner on a known device still gets in (issue 26).
    pub login_per_account_everywhere: Rate,
    /// Requests that need no account (session keys, support-button presses, external links'
    /// preview and redemption) from one address.
    pub guest_per_source: Rate,
    /// Commands (accepted or refused) with one credential: a console sends a few a second at
    /// most; a flood of refused commands would otherwise grow the audit without bound.
    pub commands_per_credential: Rate,
    /// Chat lines per credential, within the commands' limit: a person types a few lines a
    /// second at most; a flood of long lines would grow every snapshot of the session.
    pub chat_per_credential: Rate,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login_per_source: Rate {
                burst: 30,
                every: Duration::from_secs(2),
            },
            login_per_account: Rate {
                burst: 8,
                every: Duration::from_secs(15),
            },
            login_per_network: Rate {
                burst: 120,
                every: Duration::from_millis(500),
            },
            login_per_account_everywhere: Rate {
                burst: 12,
                every: Duration::from_secs(10),
            },
            guest_per_source: Rate {
                burst: 20,
                every: Duration::from_secs(2),
            },
            commands_per_credential: Rate {
                burst: 100,
                every: Duration::from_millis(50),
            },
            chat_per_credential: Rate {
                burst: 20,
                every: Duration::from_millis(500),
            },
        }
    }
}

impl RateLimits {
    /// Limits no benchmark reaches (`--load-test-rates`): a million at once, a million more
    /// every second.
    #[must_use]
    pub fn for_load_tests() -> Self {
        let unlimited = Rate {
            burst: 1_000_000,
            every: Duration::from_micros(1),
        };
        Self {
            login_per_source: unlimited,
            login_per_account: unlimited,
            login_per_network: unlimited,
            login_per_account_everywhere: unlimited,
            guest_per_source: unlimited,
            commands_per_credential: unlimited,
            chat_per_credential: unlimited,
        }
    }
}

/// The appliance's limiters.
pub struct Limits {
    login_per_source: DefaultKeyedRateLimiter<IpAddr>,
    login_per_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    login_per_network: DefaultKeyedRateLimiter<IpAddr>,
    login_per_account_everywhere: DefaultKeyedRateLimiter<String>,
    guest_per_source: DefaultKeyedRateLimiter<IpAddr>,
    commands_per_credential: DefaultKeyedRateLimiter<String>,
    chat_per_credential: DefaultKeyedRateLimiter<String>,
    hashing: Arc<Semaphore>,
    /// The lane kept for known (account, address) pairs.
    trusted: Arc<Semaphore>,
    /// (account name, address) pairs that signed in successfully, with when.
    known: std::sync::Mutex<HashMap<(String, IpAddr), Instant>>,
    /// Hashes waiting for the general lane.
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    /// Accounts with password checks queued or running, and how many: one account's flood
    /// takes at most [`PER_ACCOUNT_AT_ONCE`] places in the queue, so the others' sign-ins are
    /// not behind it (a fair queue per account).
    checking: Arc<std::sync::Mutex<HashMap<String, usize>>>,
    /// How long a password check took lately, in microseconds (a moving average): what a
    /// sign-in for an account that does not exist waits instead of hashing.
    typical_check_us: std::sync::atomic::AtomicU64,
}

/// Password checks of one account queued or running at once, from addresses it has not signed
/// in from; more are answered 429 without hashing.
const PER_ACCOUNT_AT_ONCE: usize = 2;

/// One account's place among the password checks, given back when dropped.
struct AccountTurn {
    checking: Arc<std::sync::Mutex<HashMap<String, usize>>>,
    account: String,
}

impl Drop for AccountTurn {
    fn drop(&mut self) {
        if let Ok(mut checking) = self.checking.lock()
            && let Some(n) = checking.get_mut(&self.account)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                checking.remove(&self.account);
            }
        }
    }
}

/// At most this many hashes wait for the general lane; more are refused at once (503) rather
/// than queued without end. Known sign-ins still wait for their own lane.
const MAX_WAITING: usize = 64;

/// Counts a waiting hash for as long as it lives.
struct Waiting(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// How many known (account, address) pairs are kept at most; beyond it no more are learnt until
/// old ones are forgotten.
const MAX_KNOWN: usize = 100_000;
/// How long a successful sign-in keeps its address known.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("login_sources", &self.login_per_source.len())
            .field("guest_sources", &self.guest_per_source.len())
            .finish_non_exhaustive()
    }
}

/// The key a source address is limited under: an IPv4 address, or an IPv6 address's /64 (one
/// subscriber's usual allocation, so rotating addresses within it gains nothing).
#[must_use]
pub fn source_key(source: IpAddr) -> IpAddr {
    match source {
        IpAddr::V4(_) => source,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(std::net::Ipv6Addr::from(segments))
            }
        },
    }
}

/// The network a source address belongs to, for the per-network limit: an IPv4 /24, an IPv6 /48.
#[must_use]
pub fn network_key(source: IpAddr) -> IpAddr {
    match source_key(source) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[3..].fill(0);
            IpAddr::V6(std::net::Ipv6Addr::from(segments))
        }
    }
}

fn refuse(not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> ApiError {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    ApiError::TooManyRequests {
        retry_after_s: i64::try_from(wait.as_secs().max(1)).unwrap_or(i64::MAX),
    }
}

impl Limits {
    /// Limiters with these limits; hashing bounded by the machine's cores less one.
    #[must_use]
    pub fn new(rates: RateLimits) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            login_per_source: RateLimiter::keyed(rates.login_per_source.quota()),
            login_per_account: RateLimiter::keyed(rates.login_per_account.quota()),
            login_per_network: RateLimiter::keyed(rates.login_per_network.quota()),
            login_per_account_everywhere: RateLimiter::keyed(
                rates.login_per_account_everywhere.quota(),
            ),
            guest_per_source: RateLimiter::keyed(rates.guest_per_source.quota()),
            commands_per_credential: RateLimiter::keyed(rates.commands_per_credential.quota()),
            chat_per_credential: RateLimiter::keyed(rates.chat_per_credential.quota()),
            // Bad logins never take every core: one stays for everything else.
            hashing: Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))),
            trusted: Arc::new(Semaphore::new(1)),
            known: std::sync::Mutex::default(),
            waiting: Arc::default(),
            checking: Arc::default(),
            // Until a check was measured: about what argon2id's defaults take on one core.
            typical_check_us: std::sync::atomic::AtomicU64::new(40_000),
        }
    }

    /// Take one of the account's places among the password checks.
    fn account_turn(&self, email: &str) -> Result<AccountTurn, ApiError> {
        let account = Self::account(email);
        let mut checking = self
            .checking
            .lock()
            .map_err(|_| ApiError::Internal("sign-in queue"))?;
        let n = checking.entry(account.clone()).or_insert(0);
        if *n >= PER_ACCOUNT_AT_ONCE {
            return Err(ApiError::TooManyRequests { retry_after_s: 1 });
        }
        *n += 1;
        Ok(AccountTurn {
            checking: self.checking.clone(),
            account,
        })
    }

    /// Check the password of an account that exists (`work`): in the bounded pool, at most
    /// [`PER_ACCOUNT_AT_ONCE`] of one account at once unless from a known address, timed so that
    /// [`Limits::equal_wait`] answers unknown accounts in about the same time.
    ///
    /// # Errors
    /// `TooManyRequests` when this account already has its checks queued; `Busy` when the
    /// queue is full; Internal if the hashing thread died.
    pub async fn check_password<T: Send + 'static>(
        &self,
        email: &str,
        known: bool,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let turn = if known {
            None
        } else {
            Some(self.account_turn(email)?)
        };
        let started = Instant::now();
        let done = self.verify_login(known, work).await;
        drop(turn);
        let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let before = self
            .typical_check_us
            .load(std::sync::atomic::Ordering::Relaxed);
        // A moving average over about the last eight checks.
        let average = (before.saturating_mul(7).saturating_add(took)) / 8;
        self.typical_check_us
            .store(average, std::sync::atomic::Ordering::Relaxed);
        done
    }

    /// What a sign-in for an account that does not exist does instead of hashing: wait about as
    /// long as a check of a real one takes lately. A flood of made-up accounts costs no CPU and
    /// takes no place in the hashing lane (issue 26), and is answered no faster than a real one.
    pub async fn equal_wait(&self) {
        let us = self
            .typical_check_us
            .load(std::sync::atomic::Ordering::Relaxed)
            .min(2_000_000);
        tokio::time::sleep(Duration::from_micros(us)).await;
    }

    /// Join the general lane's queue, unless it is full.
    fn queue(&self, known: bool) -> Result<Waiting, ApiError> {
        let before = self
            .waiting
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let waiting = Waiting(self.waiting.clone());
        if before >= MAX_WAITING && !known {
            return Err(ApiError::Busy);
        }
        Ok(waiting)
    }

    /// The key an account name is kept under: its SHA-256, so a key's size never depends on
    /// what a client sent.
    fn account(email: &str) -> String {
        crate::secret::hash(&email.trim().to_lowercase())
    }

    /// Whether this account name signed in from this address before (within [`KNOWN_FOR`]).
    #[must_use]
    pub fn is_known(&self, email: &str, source: IpAddr) -> bool {
        self.known.lock().is_ok_and(|known| {
            known
                .get(&(Self::account(email), source))
                .is_some_and(|at| at.elapsed() < KNOWN_FOR)
        })
    }

    /// Remember a successful sign-in of this account name from this address.
    pub fn remember(&self, email: &str, source: IpAddr) {
        if let Ok(mut known) = self.known.lock()
            && known.len() < MAX_KNOWN
        {
            known.insert((Self::account(email), source), Instant::now());
        }
    }

    /// Check a sign-in's password (`work`) in the bounded pool; a known (account, address) pair
    /// may also take the lane kept for it, whichever frees first.
    ///
    /// # Errors
    /// Internal, if the hashing thread died.
    pub async fn verify_login<T: Send + 'static>(
        &self,
        known: bool,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let queued = self.queue(known)?;
        let permit = if known {
            tokio::select! {
                p = self.hashing.clone().acquire_owned() => p,
                p = self.trusted.clone().acquire_owned() => p,
            }
        } else {
            self.hashing.clone().acquire_owned().await
        }
        .map_err(|_| ApiError::Internal("hashing pool closed"))?;
        drop(queued);
        let done = tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| ApiError::Internal("password hashing failed"));
        drop(permit);
        done
    }

    /// May this address try to sign in to this account name now? Limited per address, per
    /// network, per account name from this address, and per account name from everywhere unless
    /// the account signed in from this address before.
    ///
    /// # Errors
    /// `TooManyRequests`, the same for every account name, existing or not.
    pub fn login(&self, source: IpAddr, email: &str) -> Result<(), ApiError> {
        let known = self.is_known(email, source);
        let (network, source) = (network_key(source), source_key(source));
        self.login_per_source
            .check_key(&source)
            .map_err(|n| refuse(&n))?;
        self.login_per_network
            .check_key(&network)
            .map_err(|n| refuse(&n))?;
        let account = Self::account(email);
        // Per address first: one address's guesses beyond its own limit do not also spend the
        // account's limit from everywhere.
        self.login_per_account
            .check_key(&(account.clone(), source))
            .map_err(|n| refuse(&n))?;
        if !known {
            self.login_per_account_everywhere
                .check_key(&account)
                .map_err(|n| refuse(&n))?;
        }
        Ok(())
    }

    /// May this address make a request that needs no account now?
    ///
    /// # Errors
    /// `TooManyRequests`.
    pub fn guest(&self, source: IpAddr) -> Result<(), ApiError> {
        self.guest_per_source
            .check_key(&source_key(source))
            .map_err(|n| refuse(&n))
    }

    /// May this credential (by its token's hash) send one more command now?
    ///
    /// # Errors
    /// `TooManyRequests`.
    pub fn command(&self, token_hash: &str) -> Result<(), ApiError> {
        self.commands_per_credential
            .check_key(&token_hash.to_owned())
            .map_err(|n| refuse(&n))
    }

    /// A chat line sent with this credential, on top of [`Limits::command`].
    ///
    /// # Errors
    /// Too many requests, with when to try again.
    pub fn chat(&self, token_hash: &str) -> Result<(), ApiError> {
        self.chat_per_credential
            .check_key(&token_hash.to_owned())
            .map_err(|n| refuse(&n))
    }

    /// Run a password hash or check on a blocking thread, a bounded number at once.
    ///
    /// # Errors
    /// Internal, if the hashing thread died.
    pub async fn hash<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        self.verify_login(false, work).await
    }

    /// Forget sources not seen lately, so the limiters hold only recent addresses.
    pub fn sweep(&self) {
        if let Ok(mut known) = self.known.lock() {
            known.retain(|_, at| at.elapsed() < KNOWN_FOR);
        }
        self.login_per_source.retain_recent();
        self.login_per_account.retain_recent();
        self.login_per_network.retain_recent();
        self.login_per_network.shrink_to_fit();
        self.login_per_account_everywhere.retain_recent();
        self.login_per_account_everywhere.shrink_to_fit();
        self.guest_per_source.retain_recent();
        self.commands_per_credential.retain_recent();
        self.commands_per_credential.shrink_to_fit();
        self.chat_per_credential.retain_recent();
        self.chat_per_credential.shrink_to_fit();
        self.login_per_source.shrink_to_fit();
        self.login_per_account.shrink_to_fit();
        self.guest_per_source.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 26: addresses rotated within one network share its limit: an IPv4 /24, an IPv6 /48
    /// (an IPv4 address mapped into IPv6 counts as itself).
    #[test]
    fn addresses_of_one_network_share_its_key() {
        let v4 = |s: &str| network_key(s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(v4("203.0.113.7"), v4("203.0.113.250"));
        assert_ne!(v4("203.0.113.7"), v4("203.0.114.7"));
        assert_eq!(v4("::ffff:203.0.113.9"), v4("203.0.113.1"));
        assert_eq!(v4("2001:db8:1:2::1"), v4("2001:db8:1:ffff:1234::9"));
        assert_ne!(v4("2001:db8:1::1"), v4("2001:db8:2::1"));
        assert_eq!(v4("2001:db8:1:2::1").to_string(), "2001:db8:1::");
    }

    /// One account's checks take at most two places in the queue at once, from addresses it has
    /// not signed in from: a flood aimed at it queues behind itself.
    #[tokio::test]
    async fn one_account_takes_at_most_two_places_among_the_checks() {
        let limits = Arc::new(Limits::new(RateLimits::for_load_tests()));
        // The first check holds the hashing lane until released; the second waits behind it.
        let (started, running) = std::sync::mpsc::channel::<()>();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let first = {
            let limits = limits.clone();
            tokio::spawn(async move {
                limits
                    .check_password("alice@example.com", false, move || {
                        let _ = started.send(());
                        let _ = held.recv();
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || running.recv())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the first check started"));
        // Polled once, the second takes its place and waits for the lane.
        let mut second = Box::pin(limits.check_password("alice@example.com", false, || ()));
        assert!(
            futures_util::FutureExt::now_or_never(&mut second).is_none(),
            "waiting behind the first"
        );
        let third = limits
            .check_password("alice@example.com", false, || ())
            .await;
        assert!(
            matches!(third, Err(ApiError::TooManyRequests { .. })),
            "{third:?}"
        );
        // Alice from a known address has a lane of her own, while both places are taken.
        assert!(
            limits
                .check_password("alice@example.com", true, || ())
                .await
                .is_ok(),
            "Alice from a known address is not behind them"
        );
        let _ = release.send(());
        assert!(matches!(first.await, Ok(Ok(()))));
        assert!(second.await.is_ok());
        assert!(
            limits
                .check_password("bob@example.com", false, || ())
                .await
                .is_ok(),
            "another account's check is not refused for Alice's"
        );
    }
}
