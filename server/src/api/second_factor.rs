//! Two-step sign-in from a console (issue 26): a signed-in technician sets up an authenticator
//! app, confirms it with a first code (and receives the recovery codes), or turns it off with a
//! code. The same rules as the web page's ([`crate::second_factor`]).
use super::ApiJson;
use crate::appliance::Appliance;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::second_factor::{self, Enrolment};
use axum::Json;
use axum::extract::State;
use std::sync::Arc;
use tandem_core::domain::TechnicianId;
use tandem_core::protocol::{
    SecondFactorCode, SecondFactorConfirmed, SecondFactorStarted, SecondFactorStatus,
};

fn technician(who: Principal) -> Result<TechnicianId, ApiError> {
    match who {
        Principal::Technician(t) => Ok(t),
        _ => Err(ApiError::BadRequest(
            "Only technicians and administrators sign in with a second factor".into(),
        )),
    }
}

/// `GET /api/v1/account/second-factor`
pub async fn status(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
) -> Result<Json<SecondFactorStatus>, ApiError> {
    let me = technician(who)?;
    let enrolment = second_factor::enrolment(&appliance.store, me).await?;
    Ok(Json(SecondFactorStatus {
        enabled: enrolment == Enrolment::Enabled,
        pending: enrolment == Enrolment::Pending,
        required: appliance.state().await.second_factor_required(me),
    }))
}

/// `POST /api/v1/account/second-factor`: a new key for an authenticator app.
pub async fn start(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
) -> Result<Json<SecondFactorStarted>, ApiError> {
    let me = technician(who)?;
    let account = appliance
        .state()
        .await
        .technicians
        .get(&me)
        .map_or_else(String::new, |t| t.email.clone());
    let started = second_factor::start(&appliance.store, me, &account).await?;
    Ok(Json(SecondFactorStarted {
        secret: started.secret,
        url: started.url,
    }))
}

/// `POST /api/v1/account/second-factor/confirm`: the first code turns it on.
pub async fn confirm(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    ApiJson(body): ApiJson<SecondFactorCode>,
) -> Result<Json<SecondFactorConfirmed>, ApiError> {
    let me = technician(who)?;
    let recovery_codes = second_factor::confirm(&appliance.store, me, &body.code).await?;
    second_factor::audit(&appliance.store, me, "turned on").await;
    Ok(Json(SecondFactorConfirmed { recovery_codes }))
}

/// `POST /api/v1/account/second-factor/off`: with a code; not while a group requires it.
pub async fn turn_off(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    ApiJson(body): ApiJson<SecondFactorCode>,
) -> Result<Json<SecondFactorStatus>, ApiError> {
    let me = technician(who)?;
    if appliance.state().await.second_factor_required(me) {
        return Err(ApiError::BadRequest(
            "One of your groups requires two-step sign-in: it stays on".into(),
        ));
    }
    second_factor::turn_off(&appliance.store, me, &body.code).await?;
    second_factor::audit(&appliance.store, me, "turned off").await;
    Ok(Json(SecondFactorStatus {
        enabled: false,
        pending: false,
        required: false,
    }))
}
