//! Administration endpoints beyond the generic command endpoint: creating an account needs a
//! password, which the rules engine never sees.
use super::ApiJson;
use crate::accounts::create_account;
use crate::appliance::{Appliance, Published};
use crate::auth::Principal;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tandem_core::domain::{Denial, Reason, Role, Rule, TechnicianId};

/// A new account.
#[derive(Deserialize)]
pub struct NewTechnician {
    /// Their name.
    pub name: String,
    /// Their e-mail address, which they sign in with.
    pub email: String,
    /// What they administer.
    pub role: Role,
    /// Their first password.
    pub password: String,
}

/// The account made.
#[derive(Debug, Serialize)]
pub struct Created {
    /// Its id.
    pub technician: TechnicianId,
    /// The events.
    pub events: Vec<Published>,
}

/// `POST /api/v1/admin/technicians`
pub async fn create_technician(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    ApiJson(new): ApiJson<NewTechnician>,
) -> Result<Json<Created>, ApiError> {
    let Principal::Technician(me) = who else {
        return Err(tandem_core::domain::CommandError::from(Denial::new(
            Rule::G1,
            Reason::NotAdministrator,
        ))
        .into());
    };
    let (technician, executed) = create_account(
        &appliance,
        me,
        &new.name,
        &new.email,
        new.role,
        &new.password,
    )
    .await?;
    Ok(Json(Created {
        technician,
        events: executed.events,
    }))
}

tandem_core::debug_without_secrets!(NewTechnician { name, email, role });
