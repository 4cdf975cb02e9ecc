//! System information: the customer client reports it when a technician asks (ViewSystemInfo);
//! the appliance keeps only the latest report, in memory, and shows it to those the rules allow.
use super::ApiJson;
use crate::appliance::{Appliance, now_ms};
use crate::auth::Principal;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use std::sync::Arc;
use tandem_core::domain::{Action, CommandError, Denial, Reason, Rule, SessionId, Timestamp};
use tandem_core::protocol::SystemInfo;

/// `POST /api/v1/customer/system-info`: the customer client's report.
pub async fn report(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    ApiJson(info): ApiJson<SystemInfo>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Principal::Customer(session) = who else {
        return Err(CommandError::from(Denial::new(Rule::G4, Reason::CustomerOnly)).into());
    };
    if let Ok(mut reports) = appliance.system_info.lock() {
        reports.insert(session, info);
    }
    Ok(Json(serde_json::json!({ "stored": true })))
}

/// `GET /api/v1/sessions/{session}/system-info`: allowed exactly when the menu's "System
/// information" is (A1, G3, G4, E1): the rules engine's own check.
pub async fn latest(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Path(session): Path<u64>,
) -> Result<Json<SystemInfo>, ApiError> {
    let session = SessionId(session);
    let now = Timestamp(u64::try_from(now_ms()).unwrap_or(0));
    {
        let inner = appliance.read().await;
        if !crate::visibility::may_see_session(&inner.state, who, session) {
            return Err(crate::visibility::no_such_session(session));
        }
        if let Some(denial) =
            inner
                .state
                .action_denial(who.actor(), session, Action::SystemInfo, now)
        {
            return Err(CommandError::from(denial).into());
        }
    }
    let report = appliance
        .system_info
        .lock()
        .ok()
        .and_then(|r| r.get(&session).cloned());
    report.map(Json).ok_or(ApiError::Gone(
        "The customer client has not reported its system information yet",
    ))
}
