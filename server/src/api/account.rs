//! Signing in and out, and what a signed-in principal sees.
use super::ApiJson;
use crate::appliance::Appliance;
use crate::auth::{self, Bearer, Principal};
use crate::error::ApiError;
use crate::views::{self, Snapshot};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use std::net::SocketAddr;
use std::sync::Arc;
use tandem_core::protocol::{Info, LoginRequest, LoginResponse};

/// `GET /api/v1/info`
pub async fn info(State(appliance): State<Arc<Appliance>>) -> Json<Info> {
    Json(Info {
        name: "Tandem appliance".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        public_url: appliance.config.public_url.to_string(),
        fingerprint: appliance.fingerprint.clone(),
    })
}

/// `POST /api/v1/login`
pub async fn login(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let done = auth::login(
        &appliance,
        source.ip(),
        &request.email,
        &request.password,
        request.code.as_deref(),
    )
    .await?;
    Ok(Json(LoginResponse {
        token: done.token,
        technician: done.technician,
    }))
}

/// `POST /api/v1/logout`
pub async fn logout(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Bearer(token): Bearer,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Principal::Technician(me) = who else {
        return Err(ApiError::BadRequest(
            "Only technicians sign out; customers and external users leave the session".into(),
        ));
    };
    auth::logout(&appliance, &token, me).await?;
    Ok(Json(serde_json::json!({ "signed_out": true })))
}

/// `GET /api/v1/snapshot`
pub async fn snapshot(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
) -> Result<Json<Snapshot>, ApiError> {
    Ok(Json(views::snapshot(&appliance, who).await?))
}
