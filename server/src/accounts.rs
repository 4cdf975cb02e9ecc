//! Creating accounts: the rules engine decides who may, and the password's hash commits in the
//! same transaction as the account.
use crate::appliance::{Appliance, Executed, SideWrite};
use crate::auth;
use crate::error::ApiError;
use tandem_core::domain::{Actor, AdminCommand, Command, Event, Role, TechnicianId};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn created(executed: &Executed) -> Result<TechnicianId, ApiError> {
    executed
        .find(|e| match e {
            Event::TechnicianCreated { technician } => Some(technician.id),
            _ => None,
        })
        .ok_or(ApiError::Internal("no account was created"))
}

/// The weakest zxcvbn score accepted (0–4): 3 is "safely unguessable: moderate protection from
/// offline slow-hash scenario", which is what argon2id storage is.
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Refuse passwords that are short, common, or derived from the account's own name or address,
/// then hash the rest. zxcvbn (a maintained port of Dropbox's estimator) knows common passwords,
/// dictionary words, keyboard patterns, dates and l33t substitutions, and is given the name and
/// address so that "alice@example.com1" scores as the guess it is.
fn check_and_hash(password: &str, name: &str, email: &str) -> Result<String, ApiError> {
    if password.len() > auth::MAX_PASSWORD_BYTES {
        return Err(ApiError::BadRequest(format!(
            "The password must have at most {} bytes",
            auth::MAX_PASSWORD_BYTES
        )));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::BadRequest(format!(
            "The password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let email = email.trim();
    if password.trim().eq_ignore_ascii_case(email) {
        return Err(ApiError::BadRequest(
            "The password must not be the e-mail address".into(),
        ));
    }
    // The account's own words, so that passwords made from them count as guesses.
    let local = email.split('@').next().unwrap_or_default();
    let joined_local: String = local.chars().filter(char::is_ascii_alphanumeric).collect();
    let joined_name: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut own: Vec<&str> = vec![name, email, local, &joined_local, &joined_name, "tandem"];
    own.extend(name.split_whitespace());
    own.extend(local.split(['.', '_', '-', '+']));
    let estimate = zxcvbn::zxcvbn(password, &own);
    if u8::from(estimate.score()) < MIN_PASSWORD_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning().map(|w| format!(" ({w})")))
            .unwrap_or_default();
        return Err(ApiError::BadRequest(format!(
            "This password is too easy to guess{hint}: choose a longer one, such as a few unrelated words"
        )));
    }
    auth::hash_password(password)
}

/// [`check_and_hash`] off the async workers, in the bounded hashing pool.
async fn password_hash(
    appliance: &Appliance,
    password: &str,
    name: &str,
    email: &str,
) -> Result<String, ApiError> {
    let (password, name, email) = (password.to_owned(), name.to_owned(), email.to_owned());
    appliance
        .limits
        .hash(move || check_and_hash(&password, &name, &email))
        .await?
}

/// An account created by an administrator.
///
/// # Errors
/// The rules' refusal (G1), malformed input, a short password, or a database failure.
pub async fn create_account(
    appliance: &Appliance,
    by: TechnicianId,
    name: &str,
    email: &str,
    role: Role,
    password: &str,
) -> Result<(TechnicianId, Executed), ApiError> {
    let command = Command::Admin(AdminCommand::CreateTechnician {
        name: name.into(),
        email: email.into(),
        role,
    });
    // The rules first: someone who may not create this account spends no hashing on it.
    appliance.check(Actor::Technician(by), &command).await?;
    let sides = vec![SideWrite::Credential {
        password_hash: password_hash(appliance, password, name, email).await?,
    }];
    let executed = appliance
        .execute(Actor::Technician(by), &command, sides)
        .await?;
    Ok((created(&executed)?, executed))
}

/// A new password for an account, set by an administrator the rules let manage it (G1); every
/// sign-in of the account ends with the command.
///
/// # Errors
/// The rules' refusal (G1), a weak password, or a database failure.
pub async fn reset_password(
    appliance: &Appliance,
    by: TechnicianId,
    technician: TechnicianId,
    password: &str,
) -> Result<Executed, ApiError> {
    let command = Command::Admin(AdminCommand::ResetPassword { technician });
    appliance.check(Actor::Technician(by), &command).await?;
    let (name, email) = appliance
        .state()
        .await
        .technicians
        .get(&technician)
        .map(|t| (t.name.clone(), t.email.clone()))
        .unwrap_or_default();
    let sides = vec![SideWrite::Credential {
        password_hash: password_hash(appliance, password, &name, &email).await?,
    }];
    appliance
        .execute(Actor::Technician(by), &command, sides)
        .await
}

/// The first account of a new appliance: its master administrator.
///
/// # Errors
/// When accounts exist already, input is malformed, or the database fails.
pub async fn bootstrap_master(
    appliance: &Appliance,
    name: &str,
    email: &str,
    password: &str,
) -> Result<TechnicianId, ApiError> {
    let sides = vec![SideWrite::Credential {
        password_hash: password_hash(appliance, password, name, email).await?,
    }];
    let command = Command::Bootstrap {
        name: name.into(),
        email: email.into(),
    };
    created(&appliance.execute(Actor::Guest, &command, sides).await?)
}
