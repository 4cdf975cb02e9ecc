//! Signing in and out, and what a signed-in principal sees.
use super::ApiJson;
use crate::appliance::Appliance;
use crate::auth::{self, Bearer, Principal};
use crate::error::ApiError;
use crate::views::{self, Snapshot};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tandem_core::domain::TechnicianId;

/// What anyone may know about this appliance before signing in.
#[derive(Debug, Serialize)]
pub struct Info {
    /// The product.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The public address links are built from.
    pub public_url: String,
    /// The TLS certificate's SHA-256 fingerprint, for consoles to compare on first use.
    pub fingerprint: Option<String>,
}

/// `GET /api/v1/info`
pub async fn info(State(appliance): State<Arc<Appliance>>) -> Json<Info> {
    Json(Info {
        name: "Tandem appliance",
        version: env!("CARGO_PKG_VERSION"),
        public_url: appliance.config.public_url.to_string(),
        fingerprint: appliance.fingerprint.clone(),
    })
}

/// A login request.
#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    /// The account's e-mail address.
    pub email: String,
    /// Its password.
    pub password: String,
}

/// A successful login.
#[derive(Debug, Serialize)]
pub struct LoginResponse {
    /// The bearer token; shown once.
    pub token: String,
    /// Who signed in.
    pub technician: TechnicianId,
}

/// `POST /api/v1/login`
pub async fn login(
    State(appliance): State<Arc<Appliance>>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let done = auth::login(&appliance, &request.email, &request.password).await?;
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
