//! Who is calling: technicians log in with a password (argon2id) and receive an opaque token
//! stored only as a hash; customers and external users receive tokens when they join. Attempts
//! are rate-limited per source, per network and per account name ([`crate::limits`]); nothing
//! locks an account out of the addresses it signed in from, so nobody can lock someone else out.
use crate::appliance::{Appliance, SideWrite, now_ms};
use crate::error::ApiError;
use crate::secret;
use crate::store::{Store, TokenKind};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::Arc;
use tandem_core::domain::{Actor, Command, ExternalId, SessionId, TechnicianId};

/// The longest e-mail address an account can have (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// The longest password an account can have.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// A console login lives twelve hours unless the appliance is told otherwise
/// (`Config::sign_in_ms`).
pub const TECHNICIAN_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// Who a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A signed-in technician.
    Technician(TechnicianId),
    /// A session's customer client.
    Customer(SessionId),
    /// An external user.
    External(ExternalId),
}

impl Principal {
    /// The domain actor this principal acts as.
    #[must_use]
    pub fn actor(self) -> Actor {
        match self {
            Self::Technician(t) => Actor::Technician(t),
            Self::Customer(s) => Actor::Customer(s),
            Self::External(e) => Actor::External(e),
        }
    }
}

/// The bearer token of a request, from `Authorization: Bearer …`, or from `access_token=` in
/// the query for WebSocket clients that cannot set headers.
pub struct Bearer(pub String);

impl std::fmt::Debug for Bearer {
    // A token never reaches a log, even through a debug print.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(…)")
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    access_token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Bearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        if let Some(token) = header {
            return Ok(Self(token));
        }
        let query = Query::<TokenQuery>::from_request_parts(parts, state)
            .await
            .ok();
        query
            .and_then(|q| q.0.access_token)
            .map(Self)
            .ok_or(ApiError::Unauthorized(
                "Sign in first: no token in the request",
            ))
    }
}

/// How a disabled account's sign-in is refused.
const DISABLED: &str = "This account is disabled; ask an administrator";

/// A valid bearer token of a request: whom it stands for and until when. Long-lived sockets
/// register it ([`crate::connections`]) so that they close when it ends.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The token's hash (never the token).
    pub token_hash: String,
    /// What kind of credential it is.
    pub kind: TokenKind,
    /// Whom it stands for.
    pub subject: i64,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
    /// The address the request came from (its /64 for IPv6), when known: sockets are also
    /// counted per source.
    pub source: Option<std::net::IpAddr>,
    /// The key a customer's token is bound to, whose proof every request carries (issue 26).
    pub bound_key: Option<[u8; 32]>,
}

impl Credential {
    /// Look a token up: valid, not revoked, not expired.
    ///
    /// # Errors
    /// Unauthorized for an unknown, revoked or expired token; a database failure.
    pub async fn of(appliance: &Appliance, token: &str) -> Result<Self, ApiError> {
        let token_hash = secret::hash(token);
        let found = appliance.store.token(&token_hash, now_ms()).await?;
        let token = found.ok_or(ApiError::Unauthorized(
            "This sign-in has expired or was ended",
        ))?;
        // A disabled account's sign-ins were ended with it; one issued in the instant before
        // the disabling was seen is refused here, on every request.
        if matches!(token.kind, TokenKind::Technician | TokenKind::AdminWeb) {
            let account = TechnicianId(u64::try_from(token.subject).unwrap_or(0));
            let state = appliance.state().await;
            if !state.technicians.get(&account).is_some_and(|t| t.enabled) {
                return Err(ApiError::Unauthorized(DISABLED));
            }
        }
        Ok(Self {
            token_hash,
            kind: token.kind,
            subject: token.subject,
            expires_at: token.expires_at,
            source: None,
            bound_key: token.bound_key,
        })
    }

    /// The principal this credential stands for, for every route but the jump agent's.
    ///
    /// # Errors
    /// Unauthorized for a jump client's or a support button's credential, which open nothing
    /// else.
    pub fn principal(&self) -> Result<Principal, ApiError> {
        let subject = u64::try_from(self.subject).map_err(|_| ApiError::Internal("negative id"))?;
        Ok(match self.kind {
            TokenKind::Technician => Principal::Technician(TechnicianId(subject)),
            TokenKind::Customer => Principal::Customer(SessionId(subject)),
            TokenKind::External => Principal::External(ExternalId(subject)),
            // A jump client's token opens its agent connection and nothing else; a support
            // button's secret only starts a session with a press.
            // A web sign-in opens the administration pages (its cookie) and nothing else.
            TokenKind::JumpClient | TokenKind::SupportButton | TokenKind::AdminWeb => {
                return Err(ApiError::Unauthorized(
                    "This credential is not for this request",
                ));
            }
        })
    }

    /// How the audit names whom it stands for (never the token).
    #[must_use]
    pub fn label(&self) -> String {
        match self.principal() {
            Ok(p) => crate::appliance::actor_label(p.actor()),
            Err(_) => format!("{:?}:{}", self.kind, self.subject).to_lowercase(),
        }
    }

    /// Resolves when it expires: a socket opened with it closes then.
    pub fn expiry(&self) -> tokio::time::Sleep {
        let ms = self.expires_at.saturating_sub(now_ms()).max(0);
        tokio::time::sleep(std::time::Duration::from_millis(
            u64::try_from(ms).unwrap_or(0),
        ))
    }
}

impl<S> FromRequestParts<S> for Credential
where
    Arc<Appliance>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        let appliance = Arc::<Appliance>::from_ref(state);
        let mut credential = Self::of(&appliance, &token).await?;
        // A customer's token bound to its client's key opens nothing without a proof of the key
        // (issue 26): copied to another computer, it is refused there.
        if let Some(key) = &credential.bound_key {
            let proof = parts
                .headers
                .get(tandem_core::protocol::PROOF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !crate::proof::verify(key, proof, &token, now_ms()) {
                tracing::info!("a customer token without its client's proof was refused");
                return Err(ApiError::Unauthorized(
                    "This session's token belongs to another computer's support client",
                ));
            }
        }
        credential.source = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| crate::limits::source_key(c.0.ip()));
        Ok(credential)
    }
}

impl<S> FromRequestParts<S> for Principal
where
    Arc<Appliance>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Credential::from_request_parts(parts, state)
            .await?
            .principal()
    }
}

/// Hash a password with argon2id and a random salt. Slow on purpose: call it through
/// [`crate::limits::Limits::hash`], off the async workers.
///
/// # Errors
/// Only if the hasher's parameters are broken.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::encode_b64(secret::token().as_bytes().get(..16).unwrap_or_default())
        .map_err(|_| ApiError::Internal("salt"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::Internal("password hashing failed"))
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A successful login.
pub struct Login {
    /// The new token: shown once, stored only as a hash.
    pub token: String,
    /// Who logged in.
    pub technician: TechnicianId,
}

/// Check an e-mail address and password from a source address, and open a console session.
///
/// # Errors
/// Unauthorized for a wrong address or password (the same answer for both, after the same
/// work); `TooManyRequests` when this source, or this account name from this source, tried too
/// often (the same for unknown addresses).
pub async fn login(
    appliance: &std::sync::Arc<Appliance>,
    source: IpAddr,
    email: &str,
    password: &str,
    code: Option<&str>,
) -> Result<Login, ApiError> {
    let technician = check_password(appliance, source, email, password, CONSOLE).await?;
    // Two-step sign-in (issue 26): the code comes with the password; without it the console is
    // told to ask for it (401 second_factor_required) and sends all three again.
    match crate::second_factor::enrolment(&appliance.store, technician).await? {
        crate::second_factor::Enrolment::Enabled => {
            let code = code.ok_or(ApiError::SecondFactorRequired)?;
            check_second_factor(appliance, technician, code, CONSOLE).await?;
        }
        _ if appliance.state().await.second_factor_required(technician) => {
            audit_sign_in(
                appliance,
                &crate::appliance::actor_label(Actor::Technician(technician)),
                CONSOLE,
                "refused: two-step sign-in is required and not set up",
            )
            .await;
            return Err(ApiError::SecondFactorSetupRequired);
        }
        _ => {}
    }
    let Login { token, technician } =
        issue(appliance, technician, TokenKind::Technician, CONSOLE).await?;
    // S3: a technician logged in to a console is listed for invitations.
    appliance
        .execute(
            Actor::Technician(technician),
            &Command::SetLoggedIn { logged_in: true },
            Vec::<SideWrite>::new(),
        )
        .await?;
    tracing::info!(technician = %technician, "logged in");
    // Presence then follows the console's feed: a sign-in whose console never connects is not
    // listed for long.
    let later = std::sync::Arc::clone(appliance);
    tokio::spawn(async move {
        tokio::time::sleep(later.config.presence_grace).await;
        later.set_present(technician, false).await;
    });
    Ok(Login { token, technician })
}

/// What a web sign-in's password opened: the sign-in, or the step that asks for the code.
#[derive(Debug)]
pub enum WebSignIn {
    /// Signed in.
    Done(Login),
    /// The account signs in with a code too: this one-time token carries the password's success
    /// to the code's form for a few minutes (never the password itself).
    CodeNeeded(String),
}

/// Sign in to the administration web interface (issue 16): the same checks, limits and
/// lockout as a console's sign-in, but a credential of its own kind, and no presence (S3: an
/// administrator at the web interface is not available for invitations). An account with two-step
/// sign-in on is asked for its code next ([`sign_in_web_code`]); one whose group requires it and
/// has not set it up signs in to set it up (the pages send it there first).
///
/// # Errors
/// As [`login`].
pub async fn sign_in_web(
    appliance: &std::sync::Arc<Appliance>,
    source: IpAddr,
    email: &str,
    password: &str,
) -> Result<WebSignIn, ApiError> {
    let technician = check_password(appliance, source, email, password, WEB).await?;
    if crate::second_factor::enrolment(&appliance.store, technician).await?
        == crate::second_factor::Enrolment::Enabled
    {
        return Ok(WebSignIn::CodeNeeded(pending::begin(technician)));
    }
    let done = issue(appliance, technician, TokenKind::AdminWeb, WEB).await?;
    tracing::info!(technician = %done.technician, "signed in to the web interface");
    Ok(WebSignIn::Done(done))
}

/// The second step of a web sign-in: the code, with the token the password's step gave.
///
/// # Errors
/// Unauthorized for an unknown or expired step, or a wrong code (five tries at most).
pub async fn sign_in_web_code(
    appliance: &std::sync::Arc<Appliance>,
    step: &str,
    code: &str,
) -> Result<Login, ApiError> {
    let technician = pending::attempt(step).ok_or(ApiError::Unauthorized(
        "This sign-in has expired: type your e-mail address and password again",
    ))?;
    check_second_factor(appliance, technician, code, WEB).await?;
    pending::finish(step);
    let done = issue(appliance, technician, TokenKind::AdminWeb, WEB).await?;
    tracing::info!(technician = %done.technician, "signed in to the web interface with two steps");
    Ok(done)
}

/// Check a second factor, auditing a wrong one.
async fn check_second_factor(
    appliance: &Appliance,
    technician: TechnicianId,
    code: &str,
    what: &str,
) -> Result<(), ApiError> {
    if code.len() > 64 || !crate::second_factor::check(&appliance.store, technician, code).await? {
        audit_sign_in(
            appliance,
            &crate::appliance::actor_label(Actor::Technician(technician)),
            what,
            "refused: wrong second-factor code",
        )
        .await;
        return Err(ApiError::Unauthorized(crate::second_factor::WRONG_CODE));
    }
    Ok(())
}

/// Web sign-ins between their password and their code: a random token per sign-in, good for
/// five minutes and five codes, at most [`pending::MAX`] at once (the password's step is
/// rate-limited as every sign-in is).
mod pending {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    use tandem_core::domain::TechnicianId;

    /// The most sign-ins waiting for their code at once.
    pub const MAX: usize = 10_000;
    const FOR: Duration = Duration::from_secs(5 * 60);
    const TRIES: u32 = 5;

    type Waiting = HashMap<String, (TechnicianId, Instant, u32)>;

    fn waiting() -> &'static Mutex<Waiting> {
        static WAITING: std::sync::OnceLock<Mutex<Waiting>> = std::sync::OnceLock::new();
        WAITING.get_or_init(Mutex::default)
    }

    /// A new step; its token.
    pub fn begin(technician: TechnicianId) -> String {
        let token = crate::secret::token();
        if let Ok(mut w) = waiting().lock() {
            w.retain(|_, (_, at, _)| at.elapsed() < FOR);
            if w.len() < MAX {
                w.insert(crate::secret::hash(&token), (technician, Instant::now(), 0));
            }
        }
        token
    }

    /// One try of a code: whom the step is for, unless expired or tried too often.
    pub fn attempt(token: &str) -> Option<TechnicianId> {
        let mut w = waiting().lock().ok()?;
        let key = crate::secret::hash(token);
        let (technician, at, tries) = w.get_mut(&key)?;
        *tries += 1;
        if at.elapsed() >= FOR || *tries > TRIES {
            w.remove(&key);
            return None;
        }
        Some(*technician)
    }

    /// The step is done with.
    pub fn finish(token: &str) {
        if let Ok(mut w) = waiting().lock() {
            w.remove(&crate::secret::hash(token));
        }
    }
}

/// How the audit names the two kinds of sign-in.
const CONSOLE: &str = "sign-in to a console";
const WEB: &str = "sign-in to the web interface";

/// End a web sign-in: its token stops working at once.
///
/// # Errors
/// When the database fails.
pub async fn sign_out_web(appliance: &Appliance, token: &str) -> Result<(), ApiError> {
    let token_hash = secret::hash(token);
    appliance.store.revoke_token(&token_hash).await?;
    appliance.connections.revoke_token(&token_hash);
    Ok(())
}

/// Check an address and password (with every limit), and that the account is enabled.
async fn check_password(
    appliance: &std::sync::Arc<Appliance>,
    source: IpAddr,
    email: &str,
    password: &str,
    what: &str,
) -> Result<TechnicianId, ApiError> {
    const WRONG: ApiError = ApiError::Unauthorized("Wrong e-mail address or password");
    // No account has an address or password this long: refused without hashing anything, and
    // before the address could become a rate limiter's key.
    if email.len() > MAX_EMAIL_BYTES || password.len() > MAX_PASSWORD_BYTES {
        return Err(WRONG);
    }
    appliance.limits.login(source, email)?;
    let technician = {
        let inner = appliance.read().await;
        inner
            .state
            .technicians
            .values()
            .find(|t| t.email.eq_ignore_ascii_case(email.trim()))
            .map(|t| t.id)
    };
    let credential = match technician {
        Some(t) => appliance
            .store
            .credential(i64::try_from(t.0).unwrap_or(0))
            .await?
            .map(|c| (t, c)),
        None => None,
    };
    // An address that is no account is not hashed (a flood of them would take the hashing
    // lane from everyone): it waits as long as a real check takes lately (issue 26).
    let matches = match credential.as_ref() {
        Some((_, c)) => {
            let (stored, given) = (c.password_hash.clone(), password.to_owned());
            let known = appliance.limits.is_known(email, source);
            appliance
                .limits
                .check_password(email, known, move || verify(&given, &stored))
                .await?
        }
        None => {
            appliance.limits.equal_wait().await;
            false
        }
    };
    let Some((technician, _)) = credential.filter(|_| matches) else {
        tracing::info!("login failed");
        // The audit names where it came from, never the address or password tried.
        audit_sign_in(
            appliance,
            &format!("someone at {source}"),
            what,
            "refused: wrong e-mail address or password",
        )
        .await;
        return Err(WRONG);
    };
    appliance.limits.remember(email, source);
    // Said only to someone who knows the password: a disabled account is not for guessing.
    if !appliance
        .state()
        .await
        .technicians
        .get(&technician)
        .is_some_and(|t| t.enabled)
    {
        audit_sign_in(
            appliance,
            &format!("technician:{}", technician.0),
            what,
            "refused: the account is disabled",
        )
        .await;
        return Err(ApiError::Unauthorized(DISABLED));
    }
    Ok(technician)
}

/// Store a new token of `kind` for a technician whose sign-in passed.
async fn issue(
    appliance: &Appliance,
    technician: TechnicianId,
    kind: TokenKind,
    what: &str,
) -> Result<Login, ApiError> {
    let subject = i64::try_from(technician.0).unwrap_or(0);
    let now = now_ms();
    let token = secret::token();
    let mut tx = appliance.store.begin().await?;
    Store::insert_token(
        &mut tx,
        &secret::hash(&token),
        kind,
        subject,
        now,
        now.saturating_add(appliance.config.sign_in_ms),
    )
    .await?;
    tx.commit().await?;
    let who = crate::appliance::actor_label(Actor::Technician(technician));
    audit_sign_in(appliance, &who, what, "signed in").await;
    Ok(Login { token, technician })
}

/// A sign-in in the audit (issue 16). A failure to write it is logged, and the sign-in stands.
async fn audit_sign_in(appliance: &Appliance, who: &str, what: &str, outcome: &str) {
    if let Err(e) = appliance.store.audit(now_ms(), who, what, outcome).await {
        tracing::warn!(error = %e, "could not audit a sign-in");
    }
}

/// End a console session: the token stops working and its sockets close; the technician is no
/// longer listed once none of their sign-ins is left.
///
/// # Errors
/// When the database fails.
pub async fn logout(
    appliance: &Appliance,
    token: &str,
    technician: TechnicianId,
) -> Result<(), ApiError> {
    let token_hash = secret::hash(token);
    appliance.store.revoke_token(&token_hash).await?;
    // Every socket opened with this sign-in closes now; other devices' sign-ins stay.
    appliance.connections.revoke_token(&token_hash);
    // S3: signed out on one device, still listed while another of their sign-ins is valid
    // (its console connected, or within the grace after it dropped: presence follows the
    // consoles' connections, appliance::ConsoleOnline).
    let subject = i64::try_from(technician.0).unwrap_or(0);
    if !appliance
        .store
        .has_valid_token(TokenKind::Technician, subject, now_ms())
        .await?
    {
        appliance
            .execute(
                Actor::Technician(technician),
                &Command::SetLoggedIn { logged_in: false },
                Vec::new(),
            )
            .await?;
    }
    Ok(())
}

tandem_core::debug_without_secrets!(Login { technician });
