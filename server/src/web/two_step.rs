//! Two-step sign-in in the web interface (issue 26): the code's step of a sign-in, and the page
//! where anyone signed in sets up, confirms or turns off their authenticator app (the rules of
//! it in [`crate::second_factor`]). An account whose group requires it and has not set it up is
//! sent here by every other page ([`super::session`]).
use super::pages::{forged_form, page};
use super::session::{self, WebSession};
use crate::appliance::Appliance;
use crate::auth;
use crate::error::ApiError;
use crate::second_factor::{self, Enrolment};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

/// The code's step of a sign-in.
#[derive(Debug, Template)]
#[template(path = "login_code.html")]
pub struct CodePage {
    /// The step's one-time token.
    pub step: String,
    /// Why the last code was refused.
    pub error: Option<String>,
}

/// What the app holds: shown while setting up.
#[derive(Debug)]
pub struct Shown {
    secret: String,
    svg: String,
}

/// The account's two-step sign-in page.
#[derive(Debug, Template)]
#[template(path = "two_step.html")]
struct TwoStepPage {
    name: String,
    csrf: String,
    enabled: bool,
    required: bool,
    started: Option<Shown>,
    recovery: Vec<String>,
    error: Option<String>,
}

/// The code step's form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    step: String,
    code: String,
}

/// `POST /login/code`
pub async fn sign_in_code(
    State(appliance): State<Arc<Appliance>>,
    Form(form): Form<CodeForm>,
) -> Response {
    match auth::sign_in_web_code(&appliance, &form.step, &form.code).await {
        Ok(done) => {
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
        Err(e) => page(
            StatusCode::UNAUTHORIZED,
            &CodePage {
                step: form.step,
                error: Some(e.to_string()),
            },
        ),
    }
}

async fn show(
    appliance: &Appliance,
    session: &WebSession,
    recovery: Vec<String>,
    error: Option<String>,
) -> Response {
    let state = appliance.state().await;
    let me = session.technician;
    let account = state
        .technicians
        .get(&me)
        .map_or_else(String::new, |t| t.email.clone());
    let required = state.second_factor_required(me);
    let name = session.name_in(&state);
    drop(state);
    let enrolment = match second_factor::enrolment(&appliance.store, me).await {
        Ok(e) => e,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let started = match second_factor::pending(&appliance.store, me, &account).await {
        Ok(s) => s.map(|s| Shown {
            svg: second_factor::qr_svg(&s.url),
            secret: s.secret,
        }),
        Err(e) => return e.into_response(),
    };
    page(
        if error.is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        },
        &TwoStepPage {
            name,
            csrf: session.csrf.clone(),
            enabled: enrolment == Enrolment::Enabled,
            required,
            started,
            recovery,
            error,
        },
    )
}

/// `GET /account/two-step`
pub async fn two_step(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    show(&appliance, &session, Vec::new(), None).await
}

/// A form of the page: its token, and a code where it asks one.
#[derive(Debug, Deserialize)]
pub struct TwoStepForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

/// `POST /account/two-step/start`: a new key for the app.
pub async fn start(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<TwoStepForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    let account = appliance
        .state()
        .await
        .technicians
        .get(&session.technician)
        .map_or_else(String::new, |t| t.email.clone());
    match second_factor::start(&appliance.store, session.technician, &account).await {
        Ok(_) => Redirect::to("/account/two-step").into_response(),
        Err(e) => show(&appliance, &session, Vec::new(), Some(e.to_string())).await,
    }
}

/// `POST /account/two-step/confirm`: the first code turns it on; the recovery codes are shown.
pub async fn confirm(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<TwoStepForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    match second_factor::confirm(&appliance.store, session.technician, &form.code).await {
        Ok(codes) => {
            second_factor::audit(&appliance.store, session.technician, "turned on").await;
            show(&appliance, &session, codes, None).await
        }
        Err(e) => show(&appliance, &session, Vec::new(), Some(e.to_string())).await,
    }
}

/// `POST /account/two-step/off`: with a code; not while a group requires it.
pub async fn turn_off(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Form(form): Form<TwoStepForm>,
) -> Response {
    if !session.carried_by(&form.csrf) {
        return forged_form();
    }
    if appliance
        .state()
        .await
        .second_factor_required(session.technician)
    {
        let why = "One of your groups requires two-step sign-in: it stays on".to_owned();
        return show(&appliance, &session, Vec::new(), Some(why)).await;
    }
    match second_factor::turn_off(&appliance.store, session.technician, &form.code).await {
        Ok(()) => {
            second_factor::audit(&appliance.store, session.technician, "turned off").await;
            Redirect::to("/account/two-step").into_response()
        }
        Err(e) => show(&appliance, &session, Vec::new(), Some(e.to_string())).await,
    }
}
