//! Who is calling: technicians log in with a password (argon2id) and receive an opaque token
//! stored only as a hash; customers and external users receive tokens when they join. Repeated
//! failures slow down and then lock an account for a while.
use crate::appliance::{Appliance, SideWrite, now_ms};
use crate::error::ApiError;
use crate::secret;
use crate::store::{Store, TokenKind};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;
use std::sync::Arc;
use tandem_core::domain::{Actor, Command, ExternalId, SessionId, TechnicianId};

/// A console login lives twelve hours.
pub const TECHNICIAN_TOKEN_TTL_MS: i64 = 12 * 60 * 60 * 1000;
/// Failed attempts allowed before each further one locks the account for a while.
pub const FREE_ATTEMPTS: i64 = 3;
/// The longest lock.
pub const MAX_LOCK_MS: i64 = 15 * 60 * 1000;

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

impl<S> FromRequestParts<S> for Principal
where
    Arc<Appliance>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Bearer(token) = Bearer::from_request_parts(parts, state).await?;
        let appliance = Arc::<Appliance>::from_ref(state);
        let found = appliance
            .store
            .token_subject(&secret::hash(&token), now_ms())
            .await?;
        let (kind, subject) = found.ok_or(ApiError::Unauthorized(
            "This sign-in has expired or was ended",
        ))?;
        let subject = u64::try_from(subject).map_err(|_| ApiError::Internal("negative id"))?;
        Ok(match kind {
            TokenKind::Technician => Self::Technician(TechnicianId(subject)),
            TokenKind::Customer => Self::Customer(SessionId(subject)),
            TokenKind::External => Self::External(ExternalId(subject)),
            // A jump client's token opens its agent connection and nothing else.
            TokenKind::JumpClient => {
                return Err(ApiError::Unauthorized(
                    "A jump client's token is for its agent connection only",
                ));
            }
        })
    }
}

/// Hash a password with argon2id and a random salt.
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

/// A real hash of nothing in particular, made once, to verify against for unknown addresses.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// How long a failed attempt locks the account: nothing for the first few, then doubling from
/// one second up to fifteen minutes.
#[must_use]
pub fn lock_after(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let exponent = u32::try_from((failures - FREE_ATTEMPTS).min(20)).unwrap_or(20);
    (1000_i64 << exponent).min(MAX_LOCK_MS)
}

/// A successful login.
#[derive(Debug)]
pub struct Login {
    /// The new token: shown once, stored only as a hash.
    pub token: String,
    /// Who logged in.
    pub technician: TechnicianId,
}

/// Check an e-mail address and password, and open a console session.
///
/// # Errors
/// Unauthorized for a wrong address or password (the same answer for both), Locked while the
/// account is locked.
pub async fn login(appliance: &Appliance, email: &str, password: &str) -> Result<Login, ApiError> {
    const WRONG: ApiError = ApiError::Unauthorized("Wrong e-mail address or password");
    let now = now_ms();
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
    let Some((technician, credential)) = credential else {
        // Spend the same time as a real check, so timing does not reveal which addresses exist.
        let _ = verify(password, dummy_hash());
        return Err(WRONG);
    };
    let subject = i64::try_from(technician.0).unwrap_or(0);
    if credential.locked_until > now {
        return Err(ApiError::Locked {
            retry_after_s: (credential.locked_until - now + 999) / 1000,
        });
    }
    if !verify(password, &credential.password_hash) {
        let failures = credential.failures + 1;
        let lock = lock_after(failures);
        appliance
            .store
            .set_failures(subject, failures, if lock > 0 { now + lock } else { 0 })
            .await?;
        tracing::info!(technician = %technician, failures, "login failed");
        return Err(WRONG);
    }
    appliance.store.set_failures(subject, 0, 0).await?;
    let token = secret::token();
    let mut tx = appliance.store.begin().await?;
    Store::insert_token(
        &mut tx,
        &secret::hash(&token),
        TokenKind::Technician,
        subject,
        now,
        now + TECHNICIAN_TOKEN_TTL_MS,
    )
    .await?;
    tx.commit().await?;
    // S3: a technician logged in to a console is listed for invitations.
    appliance
        .execute(
            Actor::Technician(technician),
            &Command::SetLoggedIn { logged_in: true },
            Vec::<SideWrite>::new(),
        )
        .await?;
    tracing::info!(technician = %technician, "logged in");
    Ok(Login { token, technician })
}

/// End a console session: the token stops working and the technician is no longer listed.
///
/// # Errors
/// When the database fails.
pub async fn logout(
    appliance: &Appliance,
    token: &str,
    technician: TechnicianId,
) -> Result<(), ApiError> {
    appliance.store.revoke_token(&secret::hash(token)).await?;
    appliance
        .execute(
            Actor::Technician(technician),
            &Command::SetLoggedIn { logged_in: false },
            Vec::new(),
        )
        .await?;
    Ok(())
}
