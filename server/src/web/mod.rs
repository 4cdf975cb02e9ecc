//! The administration web interface (issue 16): `/login`, then the organisation at `/admin`.
//!
//! Server-rendered HTML (askama: templates checked when the appliance compiles, HTML escaped by
//! default) with no script at all: forms post, the appliance answers with a page or a redirect.
//! Every change is a command of the rules engine, carried out by the same `Appliance::execute`
//! as the API's; what an administrator may not do is found by planning the command against the
//! state (`State::plan`, which changes nothing) and shown greyed with the engine's reason (A3).
//! No second copy of a rule lives here.
//!
//! Security: a sign-in here is a credential of its own kind (`admin_web`), carried only in a
//! `__Host-` cookie (Secure, HttpOnly, SameSite=Strict) and refused by the API; every change
//! must come from the appliance's own pages (`guard`: Fetch Metadata and Origin) and carry the
//! session's form token (`session::csrf_for`); every page is sent with a Content-Security-Policy
//! that allows no script, no frame and nothing from elsewhere.
mod audit;
mod console;
mod customer;
mod format;
mod guard;
mod pages;
mod policies;
mod reports;
mod session;
mod setup;
mod technicians;
mod tree;
mod two_step;

pub(crate) use guard::everywhere;
pub(crate) use pages::page;

use crate::appliance::Appliance;
use axum::Router;
use axum::routing::{get, post};
use std::sync::Arc;

/// The web interface's routes, each behind the security headers, and the changes behind the
/// same-origin check.
pub fn router() -> Router<Arc<Appliance>> {
    let changes = Router::new()
        .route("/login", post(pages::sign_in))
        .route("/logout", post(pages::sign_out))
        .route("/login/code", post(two_step::sign_in_code))
        .route("/account/two-step/start", post(two_step::start))
        .route("/account/two-step/confirm", post(two_step::confirm))
        .route("/account/two-step/off", post(two_step::turn_off))
        .route("/admin/teams", post(pages::create_team))
        .route("/admin/teams/{team}", post(pages::update_team))
        .route("/admin/teams/{team}/locks", post(pages::lock))
        .route(
            "/admin/teams/{team}/two-step",
            post(pages::require_two_step),
        )
        .route("/admin/teams/{team}/move", post(pages::move_team))
        .route(
            "/admin/teams/{team}/permissions",
            post(pages::set_permission),
        )
        .route("/admin/policies", post(policies::create_policy))
        .route("/admin/technicians", post(technicians::create_technician))
        .route("/admin/setup/{what}", post(setup::create))
        .route(
            "/admin/technicians/{technician}/groups",
            post(technicians::set_membership),
        )
        .route(
            "/admin/technicians/{technician}/enabled",
            post(technicians::set_enabled),
        )
        .route(
            "/admin/technicians/{technician}/sign-out",
            post(technicians::sign_out_everywhere),
        )
        .route(
            "/admin/technicians/{technician}/password",
            post(technicians::reset_password),
        )
        .layer(axum::middleware::from_fn(guard::same_origin));
    Router::new()
        .route("/login", get(pages::sign_in_page))
        .route("/admin", get(pages::organisation))
        .route("/account/two-step", get(two_step::two_step))
        .route("/admin/policies", get(policies::policies))
        .route("/admin/technicians", get(technicians::technicians))
        .route("/admin/setup", get(setup::setup))
        .route("/admin/audit", get(audit::audit))
        .route("/admin/audit.csv", get(audit::audit_csv))
        .route("/admin/sessions", get(reports::sessions))
        .route("/admin/sessions/{id}", get(reports::session_report))
        .route(
            "/admin/sessions/{id}/report.csv",
            get(reports::session_report_csv),
        )
        .route("/static/tandem.css", get(pages::stylesheet))
        .merge(changes)
        .layer(axum::middleware::from_fn(guard::headers))
        .merge(console_routes())
        .merge(customer_routes())
}

/// The customer's portal, page and script, behind headers of their own (the page runs a script;
/// the administration pages run none).
fn customer_routes() -> Router<Arc<Appliance>> {
    Router::new()
        .route("/", get(customer::portal))
        .route("/customer", get(customer::page))
        .route("/static/customer.js", get(customer::script))
        .layer(axum::middleware::from_fn(customer::headers))
}

/// The external user's web console: its page and what the page loads, behind headers of its
/// own (it runs a script and WebAssembly; the administration pages run none).
fn console_routes() -> Router<Arc<Appliance>> {
    Router::new()
        .route("/join/{token}", get(console::page))
        .route("/static/console.js", get(console::script))
        .route("/static/screen-worker.js", get(console::screen_worker))
        .route("/static/viewer.wasm", get(console::viewer))
        .layer(axum::middleware::from_fn(console::headers))
}
