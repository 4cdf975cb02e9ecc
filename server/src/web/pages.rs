//! The pages and the forms they post. Each change checks the form's token, then goes to the
//! rules engine as the signed-in technician; a refusal comes back as a page with the engine's
//! reason, and is audited like the API's.
use super::session::{self, WebSession};
use super::tree::{self, TeamRow};
use crate::appliance::{Appliance, now_ms};
use crate::auth;
use crate::error::ApiError;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use tandem_core::domain::{
    Actor, AdminCommand, Command, CommandError, Permission, PermissionGrant, PermissionKey, TeamId,
    Timestamp,
};

/// Render a template, or say plainly that it could not be.
pub fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The page could not be rendered",
            )
                .into_response()
        }
    }
}

/// The sign-in form.
#[derive(Debug, Template)]
#[template(path = "login.html")]
struct SignInPage {
    error: Option<String>,
}

/// A change refused, with the reason.
#[derive(Debug, Template)]
#[template(path = "refused.html")]
struct RefusedPage {
    reason: String,
}

/// The organisation tree.
#[derive(Debug, Template)]
#[template(path = "admin.html")]
struct OrganisationPage {
    name: String,
    csrf: String,
    teams: Vec<TeamRow>,
}
/// `GET /login`
pub async fn sign_in_page() -> Response {
    page(StatusCode::OK, &SignInPage { error: None })
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
}

/// `POST /login`: the same checks, limits and lockout as a console's sign-in; on success a
/// cookie holding a new web sign-in, and the organisation.
pub async fn sign_in(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    Form(form): Form<SignInForm>,
) -> Response {
    match auth::sign_in_web(&appliance, source.ip(), &form.email, &form.password).await {
        Ok(auth::WebSignIn::CodeNeeded(step)) => page(
            StatusCode::OK,
            &super::two_step::CodePage { step, error: None },
        ),
        Ok(auth::WebSignIn::Done(done)) => {
            let max_age = appliance.config.sign_in_ms / 1000;
            (
                [(
                    header::SET_COOKIE,
                    session::set_cookie(&done.token, max_age),
                )],
                Redirect::to("/admin"),
            )
                .into_response()
        }
        Err(e) => {
            let status = match e {
                ApiError::TooManyRequests { .. } | ApiError::Busy => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            page(
                status,
                &SignInPage {
                    error: Some(e.to_string()),
                },
            )
        }
    }
}

/// A form that only proves where it comes from.
#[derive(Debug, Deserialize)]
pub struct PlainForm {
    csrf: String,
}

/// A form without this sign-in's token: refused before anything is done.
fn forged() -> Response {
    page(
        StatusCode::FORBIDDEN,
        &RefusedPage {
            reason: "This form was not served by this sign-in; reload the page and try again."
                .into(),
        },
    )
}

/// `POST /logout`
pub async fn sign_out(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<PlainForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    if let Err(e) = auth::sign_out_web(&appliance, &session.token).await {
        tracing::warn!(error = %e, "a web sign-out failed");
    }
    (
        [(header::SET_COOKIE, session::clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response()
}

pub fn now() -> Timestamp {
    Timestamp(u64::try_from(now_ms()).unwrap_or(0))
}

/// Now, in milliseconds since the epoch, for file names.
#[must_use]
pub fn now_page() -> i64 {
    now_ms()
}

/// `GET /admin`
pub async fn organisation(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
) -> Response {
    let state = appliance.state().await;
    let actor = Actor::Technician(session.technician);
    let name = session.name_in(&state);
    page(
        StatusCode::OK,
        &OrganisationPage {
            name,
            csrf: session.csrf.clone(),
            teams: tree::rows(&state, actor, now()),
        },
    )
}

/// Carry out an administrator's command; back to `then`, or the engine's reason.
pub async fn run_then(
    appliance: &Arc<Appliance>,
    session: &WebSession,
    command: AdminCommand,
    then: &str,
) -> Response {
    let actor = Actor::Technician(session.technician);
    match appliance
        .execute(actor, &Command::Admin(command), Vec::new())
        .await
    {
        Ok(_) => Redirect::to(then).into_response(),
        Err(e) => {
            let status = match e {
                ApiError::Command(CommandError::Denied(_)) => StatusCode::FORBIDDEN,
                ApiError::Command(CommandError::NotFound { .. }) => StatusCode::NOT_FOUND,
                ApiError::Command(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            page(
                status,
                &RefusedPage {
                    reason: e.to_string(),
                },
            )
        }
    }
}

/// Carry out an administrator's command; back to the organisation, or the engine's reason.
async fn run(appliance: &Arc<Appliance>, session: &WebSession, command: AdminCommand) -> Response {
    run_then(appliance, session, command, "/admin").await
}

/// A page saying why something was not done.
pub fn refused(reason: String) -> impl Template + std::fmt::Debug {
    RefusedPage { reason }
}

/// A form without this sign-in's token: refused before anything is done.
pub fn forged_form() -> Response {
    forged()
}

/// The new group form's fields.
#[derive(Debug, Deserialize)]
pub struct CreateTeamForm {
    csrf: String,
    parent: u64,
    name: String,
    #[serde(default)]
    description: String,
}

/// `POST /admin/teams`: a group below another (G2).
pub async fn create_team(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<CreateTeamForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let command = AdminCommand::CreateTeam {
        parent: Some(TeamId(form.parent)),
        name: form.name,
        description: form.description,
    };
    run(&appliance, &session, command).await
}

/// The group form's fields.
#[derive(Debug, Deserialize)]
pub struct UpdateTeamForm {
    csrf: String,
    name: String,
    #[serde(default)]
    description: String,
    /// Present when the box is ticked.
    enabled: Option<String>,
}

/// `POST /admin/teams/{team}`: rename, describe, enable or disable a group (G2).
pub async fn update_team(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(team): Path<u64>,
    Form(form): Form<UpdateTeamForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let command = AdminCommand::UpdateTeam {
        team: TeamId(team),
        name: form.name,
        description: form.description,
        enabled: form.enabled.is_some(),
    };
    run(&appliance, &session, command).await
}

/// The move form's fields: the new parent's id, or empty for the top.
#[derive(Debug, Deserialize)]
pub struct MoveTeamForm {
    csrf: String,
    parent: String,
}

/// `POST /admin/teams/{team}/move`: a group, with everything below it, under another (G2).
pub async fn move_team(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(team): Path<u64>,
    Form(form): Form<MoveTeamForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let parent = match form.parent.as_str() {
        "" => None,
        id => match id.parse() {
            Ok(id) => Some(TeamId(id)),
            Err(_) => return page(StatusCode::BAD_REQUEST, &refused("No such group.".into())),
        },
    };
    run(
        &appliance,
        &session,
        AdminCommand::MoveTeam {
            team: TeamId(team),
            parent,
        },
    )
    .await
}

/// The two-step requirement form's fields.
#[derive(Debug, Deserialize)]
pub struct TwoStepRequirementForm {
    csrf: String,
    required: bool,
}

/// `POST /admin/teams/{team}/two-step`: require two-step sign-in of a group's technicians and
/// those of the groups below it, or stop requiring it (issue 26; within the administrator's
/// groups, G1).
pub async fn require_two_step(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(team): Path<u64>,
    Form(form): Form<TwoStepRequirementForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let command = AdminCommand::RequireSecondFactor {
        team: TeamId(team),
        required: form.required,
    };
    run(&appliance, &session, command).await
}

/// The permission form's fields.
#[derive(Debug, Deserialize)]
pub struct PermissionForm {
    csrf: String,
    /// The permission's name (`RemoteControl`).
    permission: String,
    on: bool,
}

/// `POST /admin/teams/{team}/permissions`: turn a permission on or off for a group's members
/// (G3; refused by the engine where a master administrator locked it, G1).
pub async fn set_permission(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(team): Path<u64>,
    Form(form): Form<PermissionForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let Ok(permission) =
        serde_json::from_value::<Permission>(serde_json::Value::String(form.permission))
    else {
        return page(
            StatusCode::BAD_REQUEST,
            &RefusedPage {
                reason: "No such permission.".into(),
            },
        );
    };
    let command = AdminCommand::SetPermission {
        team: TeamId(team),
        grant: PermissionGrant::Flag(permission, form.on),
    };
    run(&appliance, &session, command).await
}

/// The lock form's fields.
#[derive(Debug, Deserialize)]
pub struct LockForm {
    csrf: String,
    /// The permission's key, as the page wrote it (JSON).
    key: String,
    locked: bool,
}

/// `POST /admin/teams/{team}/locks`: lock or unlock a permission here (G1: master
/// administrators only, as the rules engine says).
pub async fn lock(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(team): Path<u64>,
    Form(form): Form<LockForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged();
    }
    let Ok(key) = serde_json::from_str::<PermissionKey>(&form.key) else {
        return page(
            StatusCode::BAD_REQUEST,
            &RefusedPage {
                reason: "No such permission.".into(),
            },
        );
    };
    let command = AdminCommand::LockPermission {
        team: TeamId(team),
        key,
        locked: form.locked,
    };
    run(&appliance, &session, command).await
}

/// `GET /static/tandem.css`: the one stylesheet of every page the appliance serves, inside the
/// binary.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/tandem.css"),
    )
        .into_response()
}
