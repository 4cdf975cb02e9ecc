//! Credentials handed out once, to one session's customer client: a jump client's agent
//! credential (J1) and a support button's secret (B1). What is handed out is decided by the
//! session the caller's token belongs to, never by anything the caller says; the `claims` table
//! lets only the first claim through.
use crate::appliance::{Appliance, now_ms};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::secret;
use crate::store::{Store, TokenKind};
use tandem_core::domain::{CommandError, Denial, Reason, Rule, SessionId, State};

/// What is claimed, and how it is refused.
pub struct Claimable {
    /// The kind of credential minted.
    pub kind: TokenKind,
    /// How long it lasts (until revoked with its subject, in practice).
    pub ttl_ms: i64,
    /// The answer when the session deployed nothing of this kind.
    pub nothing: &'static str,
    /// The answer to a second claim.
    pub claimed: &'static str,
}

/// The customer's live session, then the subject `pick` finds for it, then a fresh credential
/// for that subject, stored as a hash with its claim in one transaction.
///
/// # Errors
/// Not a customer; the session ended; nothing deployed from it (`Gone`); claimed before
/// (`Gone`); a database failure.
pub async fn claim_once<T: Copy>(
    appliance: &Appliance,
    who: Principal,
    what: &Claimable,
    pick: impl FnOnce(&State, SessionId) -> Option<T>,
    subject_of: impl FnOnce(T) -> u64,
) -> Result<(T, String), ApiError> {
    let Principal::Customer(session) = who else {
        return Err(CommandError::from(Denial::new(Rule::G4, Reason::CustomerOnly)).into());
    };
    let picked = {
        let inner = appliance.read().await;
        inner
            .state
            .sessions
            .get(&session)
            .filter(|s| s.is_live())
            .ok_or(ApiError::Gone("This session has ended"))?;
        pick(&inner.state, session).ok_or(ApiError::Gone(what.nothing))?
    };
    let subject = crate::appliance::id(subject_of(picked));
    let credential = secret::token();
    let now = now_ms();
    let mut tx = appliance.store.begin().await?;
    if !Store::claim(&mut tx, what.kind, subject, now).await? {
        return Err(ApiError::Gone(what.claimed));
    }
    Store::insert_token(
        &mut tx,
        &secret::hash(&credential),
        what.kind,
        subject,
        now,
        now.saturating_add(what.ttl_ms),
    )
    .await?;
    tx.commit().await?;
    Ok((picked, credential))
}
