//! The HTTP API: one router, request ids, logs without secrets, and a body size limit.
mod account;
mod admin;
mod claim;
mod download;
mod join;
mod jump;
mod openapi;
mod second_factor;
mod session;
mod streams;
mod sysinfo;

use crate::appliance::Appliance;
use crate::error::ApiError;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest};
use axum::http::Request;
use axum::routing::{get, post};
use std::sync::Arc;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

/// Requests larger than this are refused with 413: nothing the API takes is near it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body whose errors come back as the API's own JSON errors.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// A path fit for a log line: one-time link tokens are cut out. Query strings (which may carry
/// a WebSocket's access token) are never logged.
#[must_use]
pub fn loggable_path(path: &str) -> String {
    // Both carry a credential in the path: an external user's link, a download's credential.
    for secret_after in ["/join/", "/downloads/"] {
        if let Some((head, _)) = path.split_once(secret_after) {
            return format!("{head}{secret_after}…");
        }
    }
    path.to_owned()
}

/// The appliance's routes.
pub fn router(appliance: Arc<Appliance>) -> Router {
    let x_request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(crate::web::router())
        .route("/api/v1/info", get(account::info))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/login", post(account::login))
        .route("/api/v1/logout", post(account::logout))
        .route(
            "/api/v1/account/second-factor",
            get(second_factor::status).post(second_factor::start),
        )
        .route(
            "/api/v1/account/second-factor/confirm",
            post(second_factor::confirm),
        )
        .route(
            "/api/v1/account/second-factor/off",
            post(second_factor::turn_off),
        )
        .route("/api/v1/snapshot", get(account::snapshot))
        .route("/api/v1/events", get(crate::ws::events))
        .route("/api/v1/commands", post(session::command))
        .route("/api/v1/sessions/{session}/actions", get(session::actions))
        .route("/api/v1/sessions/{session}/elevate", post(session::elevate))
        .route("/api/v1/sessions/{session}/shell", get(crate::relay::shell))
        .route("/api/v1/sessions/{session}/screen", get(crate::relay::screen))
        .route("/api/v1/sessions/{session}/streams", get(streams::rights))
        .route("/api/v1/sessions/{session}/system-info", get(sysinfo::latest))
        .route("/api/v1/customer/system-info", post(sysinfo::report))
        .route("/api/v1/session-keys", post(session::session_key))
        .route("/api/v1/admin/technicians", post(admin::create_technician))
        .route("/api/v1/customer/join", post(join::customer_join))
        .route("/api/v1/customer/download", post(download::offer))
        .route("/api/v1/customer/full-client", post(download::claim))
        .route("/downloads/{target}/{file}", get(download::serve))
        .route("/api/v1/customer/button", post(join::customer_button))
        .route("/api/v1/customer/jump-client", post(jump::credentials))
        .route("/api/v1/customer/support-button", post(join::button_secret))
        .route("/api/v1/jump/agent", get(jump::agent))
        .route("/api/v1/external/invitation", post(join::external_preview))
        .route("/api/v1/external/redeem", post(join::external_redeem))
        .route("/invitations/{id}", get(join::invitation_page))
        .route("/.well-known/assetlinks.json", get(join::asset_links))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(crate::web::everywhere))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .extensions()
                .get::<RequestId>()
                .and_then(|id| id.header_value().to_str().ok())
                .unwrap_or("-")
                .to_owned();
            tracing::info_span!("request", %id, method = %request.method(), path = %loggable_path(request.uri().path()))
        }))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(appliance)
}
