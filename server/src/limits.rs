//! Abuse resistance: rate limits per source address and per account name, and a bounded pool for
//! password hashing.
//!
//! The limiters are `governor`'s keyed GCRA limiters (a maintained crate, lock-free, with a
//! `retain_recent` sweep that keeps memory bounded by recent sources only) rather than
//! hand-written counters. Login is throttled per source address and per (account name, source):
//! an outsider can slow down their own attempts on an account, never someone else's sign-in from
//! another address, and an unknown address is throttled exactly as a known one, so a 429 tells
//! nothing about which addresses are accounts. Nothing locks an account.
//!
//! Password hashing (argon2id: tens of milliseconds of CPU) runs on blocking threads, at most as
//! many at once as there are cores, so a flood of bad logins never stalls the async workers that
//! serve everyone else.
use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
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
    /// Requests that need no account (session keys, support-button presses, external links'
    /// preview and redemption) from one address.
    pub guest_per_source: Rate,
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
            guest_per_source: Rate {
                burst: 20,
                every: Duration::from_secs(2),
            },
        }
    }
}

/// The appliance's limiters.
pub struct Limits {
    login_per_source: DefaultKeyedRateLimiter<IpAddr>,
    login_per_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    guest_per_source: DefaultKeyedRateLimiter<IpAddr>,
    hashing: Arc<Semaphore>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("login_sources", &self.login_per_source.len())
            .field("guest_sources", &self.guest_per_source.len())
            .finish_non_exhaustive()
    }
}

fn refuse(not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> ApiError {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    ApiError::TooManyRequests {
        retry_after_s: i64::try_from(wait.as_secs().max(1)).unwrap_or(i64::MAX),
    }
}

impl Limits {
    /// Limiters with these limits; hashing bounded by the machine's cores.
    #[must_use]
    pub fn new(rates: RateLimits) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            login_per_source: RateLimiter::keyed(rates.login_per_source.quota()),
            login_per_account: RateLimiter::keyed(rates.login_per_account.quota()),
            guest_per_source: RateLimiter::keyed(rates.guest_per_source.quota()),
            hashing: Arc::new(Semaphore::new(cores)),
        }
    }

    /// May this address try to sign in to this account name now?
    ///
    /// # Errors
    /// `TooManyRequests`, the same for every account name, known or not.
    pub fn login(&self, source: IpAddr, email: &str) -> Result<(), ApiError> {
        self.login_per_source
            .check_key(&source)
            .map_err(|n| refuse(&n))?;
        let account = email.trim().to_lowercase();
        self.login_per_account
            .check_key(&(account, source))
            .map_err(|n| refuse(&n))
    }

    /// May this address make a request that needs no account now?
    ///
    /// # Errors
    /// `TooManyRequests`.
    pub fn guest(&self, source: IpAddr) -> Result<(), ApiError> {
        self.guest_per_source
            .check_key(&source)
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
        let _permit = self
            .hashing
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("hashing pool closed"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| ApiError::Internal("password hashing failed"))
    }

    /// Forget sources not seen lately, so the limiters hold only recent addresses.
    pub fn sweep(&self) {
        self.login_per_source.retain_recent();
        self.login_per_account.retain_recent();
        self.guest_per_source.retain_recent();
        self.login_per_source.shrink_to_fit();
        self.login_per_account.shrink_to_fit();
        self.guest_per_source.shrink_to_fit();
    }
}
