//! Two-step sign-in (issue 26): besides their password, a technician or administrator may sign in
//! with a code from an authenticator app (TOTP, RFC 6238: six digits, a new one every 30 s, the
//! codes of the steps before and after accepted for clocks a little apart), or with one of ten
//! recovery codes, each good once. An administrator can require it for a group
//! (`AdminCommand::RequireSecondFactor`). This appliance hands out unattended root access: every
//! product it is measured against offers a second factor.
//!
//! `totp-rs` computes and checks the codes (a maintained crate, rather than hand-written HMAC
//! arithmetic); `qrcode` draws the enrolment's QR code as SVG, which the pages carry inline (no
//! image from elsewhere, no script). A code is accepted once: the step it was accepted for is
//! kept, and a code of that step or an earlier one is refused afterwards. The secret is kept as
//! the authenticator app keeps it (a code cannot be checked from a hash); recovery codes only as
//! hashes.
use crate::error::ApiError;
use crate::store::{Store, StoreError};
use ring::rand::{SecureRandom, SystemRandom};
use sqlx::Row as _;
use tandem_core::domain::TechnicianId;
use totp_rs::{Builder, Secret, Totp};

/// The issuer an authenticator app shows beside the account.
const ISSUER: &str = "Tandem";
/// How many recovery codes an enrolment hands out.
const RECOVERY_CODES: usize = 10;

/// Where a technician stands with a second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolment {
    /// None set up.
    None,
    /// Set up but not confirmed with a first code: not yet asked at sign-in.
    Pending,
    /// Asked at every sign-in.
    Enabled,
}

/// An enrolment begun: what to put into the authenticator app.
#[derive(Debug, Clone)]
pub struct Started {
    /// The secret in base32, to type into the app.
    pub secret: String,
    /// The `otpauth://` address the QR code holds (and a phone opens in its authenticator app).
    pub url: String,
}

fn id(technician: TechnicianId) -> i64 {
    i64::try_from(technician.0).unwrap_or(i64::MAX)
}

fn totp(secret: &str, account: &str) -> Result<Totp, ApiError> {
    let secret =
        Secret::try_from_base32(secret).map_err(|_| ApiError::Internal("second factor"))?;
    // An account name with a colon cannot go into an otpauth address: it is shown without one.
    let account = account.replace(':', " ");
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|_| ApiError::Internal("second factor"))
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a technician's sign-ins ask for a second factor.
///
/// # Errors
/// When the database fails.
pub async fn enrolment(store: &Store, technician: TechnicianId) -> Result<Enrolment, StoreError> {
    let row = sqlx::query("SELECT enabled FROM second_factors WHERE technician = $1")
        .bind(id(technician))
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        None => Enrolment::None,
        Some(r) if r.try_get::<i64, _>("enabled")? != 0 => Enrolment::Enabled,
        Some(_) => Enrolment::Pending,
    })
}

/// Begin an enrolment (or begin it again, while not confirmed): a new secret.
///
/// # Errors
/// When one is enabled already (turn it off first), or the database fails.
pub async fn start(
    store: &Store,
    technician: TechnicianId,
    account: &str,
) -> Result<Started, ApiError> {
    if enrolment(store, technician).await? == Enrolment::Enabled {
        return Err(ApiError::BadRequest(
            "Two-step sign-in is already on; turn it off first to set up another app".into(),
        ));
    }
    let mut bytes = [0u8; 20];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ApiError::Internal("random"))?;
    let secret = Secret::from(bytes).to_base32();
    let url = totp(&secret, account)?
        .to_url()
        .map_err(|_| ApiError::Internal("second factor"))?;
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM second_factors WHERE technician = $1")
        .bind(id(technician))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    sqlx::query(
        "INSERT INTO second_factors (technician, secret, enabled, last_step) VALUES ($1, $2, 0, 0)",
    )
    .bind(id(technician))
    .bind(&secret)
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Started { secret, url })
}

/// The enrolment's secret and address again (the page that shows them is reloaded).
///
/// # Errors
/// When the database fails.
pub async fn pending(
    store: &Store,
    technician: TechnicianId,
    account: &str,
) -> Result<Option<Started>, ApiError> {
    let row =
        sqlx::query("SELECT secret FROM second_factors WHERE technician = $1 AND enabled = 0")
            .bind(id(technician))
            .fetch_optional(store.pool())
            .await
            .map_err(StoreError::from)?;
    let Some(row) = row else { return Ok(None) };
    let secret: String = row.try_get("secret").map_err(StoreError::from)?;
    let url = totp(&secret, account)?
        .to_url()
        .map_err(|_| ApiError::Internal("second factor"))?;
    Ok(Some(Started { secret, url }))
}

/// A code from the app, checked against the secret and never accepted twice: the step it matched
/// is kept, and only a later step is accepted afterwards (the update is conditional, so two
/// sign-ins racing with the same code cannot both win).
async fn accept_code(
    store: &Store,
    technician: TechnicianId,
    code: &str,
    enabled: bool,
) -> Result<bool, ApiError> {
    let row = sqlx::query(
        "SELECT secret, last_step FROM second_factors WHERE technician = $1 AND enabled = $2",
    )
    .bind(id(technician))
    .bind(i64::from(enabled))
    .fetch_optional(store.pool())
    .await
    .map_err(StoreError::from)?;
    let Some(row) = row else { return Ok(false) };
    let secret: String = row.try_get("secret").map_err(StoreError::from)?;
    let last: i64 = row.try_get("last_step").map_err(StoreError::from)?;
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let Some(step) = totp(&secret, "")?.check(&digits, now_s()) else {
        return Ok(false);
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if step <= last {
        return Ok(false);
    }
    let taken = sqlx::query(
        "UPDATE second_factors SET last_step = $1 WHERE technician = $2 AND last_step < $1",
    )
    .bind(step)
    .bind(id(technician))
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(taken.rows_affected() == 1)
}

/// A recovery code, as typed (case and dashes do not matter), in its stored form.
fn recovery_hash(code: &str) -> String {
    let plain: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::secret::hash(&plain)
}

/// Confirm an enrolment with a first code from the app: from now on sign-ins ask for a code.
/// Returns the recovery codes, shown once.
///
/// # Errors
/// `Unauthorized` for a wrong code; when nothing is being set up; when the database fails.
pub async fn confirm(
    store: &Store,
    technician: TechnicianId,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    if enrolment(store, technician).await? != Enrolment::Pending {
        return Err(ApiError::BadRequest(
            "Start setting up two-step sign-in first".into(),
        ));
    }
    if !accept_code(store, technician, code, false).await? {
        return Err(ApiError::Unauthorized(WRONG_CODE));
    }
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 10];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| ApiError::Internal("random"))?;
        let chars: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        codes.push(format!("{}-{}", &chars[..5], &chars[5..]));
    }
    let mut tx = store.begin().await?;
    sqlx::query("DELETE FROM recovery_codes WHERE technician = $1")
        .bind(id(technician))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (technician, code_hash, used) VALUES ($1, $2, 0)")
            .bind(id(technician))
            .bind(recovery_hash(code))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    sqlx::query("UPDATE second_factors SET enabled = 1 WHERE technician = $1")
        .bind(id(technician))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(codes)
}

/// What a wrong code is told.
pub const WRONG_CODE: &str = "That code is not right: type the six digits your authenticator app shows now, or a recovery code";

/// Check a sign-in's second factor: a code from the app, or an unused recovery code (then used).
///
/// # Errors
/// When the database fails.
pub async fn check(store: &Store, technician: TechnicianId, code: &str) -> Result<bool, ApiError> {
    if accept_code(store, technician, code, true).await? {
        return Ok(true);
    }
    let used = sqlx::query(
        "UPDATE recovery_codes SET used = 1 WHERE technician = $1 AND code_hash = $2 AND used = 0",
    )
    .bind(id(technician))
    .bind(recovery_hash(code))
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(used.rows_affected() == 1)
}

/// Turn two-step sign-in off, with a code (or a recovery code) proving the app is at hand.
///
/// # Errors
/// `Unauthorized` for a wrong code; when the database fails.
pub async fn turn_off(store: &Store, technician: TechnicianId, code: &str) -> Result<(), ApiError> {
    if enrolment(store, technician).await? == Enrolment::Enabled
        && !check(store, technician, code).await?
    {
        return Err(ApiError::Unauthorized(WRONG_CODE));
    }
    let mut tx = store.begin().await?;
    for table in ["second_factors", "recovery_codes"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE technician = $1"))
            .bind(id(technician))
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// A change of a technician's two-step sign-in, in the audit (a failure to write it is logged).
pub async fn audit(store: &Store, technician: TechnicianId, outcome: &str) {
    let who = crate::appliance::actor_label(tandem_core::domain::Actor::Technician(technician));
    if let Err(e) = store
        .audit(
            crate::appliance::now_ms(),
            &who,
            "two-step sign-in",
            outcome,
        )
        .await
    {
        tracing::warn!(error = %e, "could not audit two-step sign-in");
    }
}

/// The enrolment's QR code, as an SVG element to put into a page.
#[must_use]
pub fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes()).map_or_else(
        |_| String::new(),
        |code| {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // The element alone, to go inside a page (without the XML declaration).
            svg.find("<svg")
                .map_or(svg.clone(), |at| svg[at..].to_owned())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's test vector for SHA-1 (the secret "12345678901234567890", eight digits there;
    /// the last six here, as authenticator apps show).
    #[test]
    fn codes_are_rfc_6238s() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let t = totp(&secret, "alice@example.com").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.generate(1_111_111_109).to_string(), "081804");
        assert_eq!(t.check("081804", 1_111_111_109 + 30), Some(37_037_036));
        assert_eq!(
            t.check("081804", 1_111_111_109 + 90),
            None,
            "two steps late"
        );
        assert!(
            t.to_url()
                .unwrap_or_default()
                .starts_with("otpauth://totp/Tandem:alice%40example.com?")
        );
        assert!(qr_svg("otpauth://totp/Tandem:a").starts_with("<svg"));
    }

    #[test]
    fn recovery_codes_are_read_whatever_the_case_and_dashes() {
        assert_eq!(recovery_hash("abcde-fghjk"), recovery_hash(" ABCDE FGHJK "));
        assert_ne!(recovery_hash("abcde-fghjk"), recovery_hash("abcde-fghjm"));
    }
}
