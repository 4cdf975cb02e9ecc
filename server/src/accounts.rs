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

fn password_hash(password: &str) -> Result<String, ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::BadRequest(format!(
            "The password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    auth::hash_password(password)
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
    let sides = vec![SideWrite::Credential {
        password_hash: password_hash(password)?,
    }];
    let command = Command::Admin(AdminCommand::CreateTechnician {
        name: name.into(),
        email: email.into(),
        role,
    });
    let executed = appliance
        .execute(Actor::Technician(by), &command, sides)
        .await?;
    Ok((created(&executed)?, executed))
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
        password_hash: password_hash(password)?,
    }];
    let command = Command::Bootstrap {
        name: name.into(),
        email: email.into(),
    };
    created(&appliance.execute(Actor::Guest, &command, sides).await?)
}
