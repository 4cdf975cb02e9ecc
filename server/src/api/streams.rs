//! What a console may do with a session's streams now (screen, control of it, command shell),
//! each with the rules engine's reason when not: a web console shows or greys its panels from
//! this before it opens a stream (A3). The relay decides again, with the same checks, when a
//! stream opens and with every event after.
use crate::appliance::Appliance;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::relay::{Stream, may_control, may_view};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use std::sync::Arc;
use tandem_core::domain::{Denial, Rule, SessionId};

/// One right, and why not when it is not there.
#[derive(Debug, Serialize)]
pub struct Right {
    /// Whether it may be used now.
    pub allowed: bool,
    /// The reason it may not, as a sentence.
    pub reason: Option<String>,
    /// The rule behind that reason.
    pub rule: Option<Rule>,
}

impl From<Result<(), Denial>> for Right {
    fn from(checked: Result<(), Denial>) -> Self {
        match checked {
            Ok(()) => Self {
                allowed: true,
                reason: None,
                rule: None,
            },
            Err(denial) => Self {
                allowed: false,
                reason: Some(denial.to_string()),
                rule: Some(denial.rule),
            },
        }
    }
}

/// A session's streams as the caller may use them now.
#[derive(Debug, Serialize)]
pub struct StreamRights {
    /// Seeing the customer's screen.
    pub screen: Right,
    /// Pointer and keys on it.
    pub control: Right,
    /// The command shell.
    pub shell: Right,
}

/// `GET /api/v1/sessions/{session}/streams`
pub async fn rights(
    State(appliance): State<Arc<Appliance>>,
    who: Principal,
    Path(session): Path<u64>,
) -> Result<Json<StreamRights>, ApiError> {
    let session = SessionId(session);
    let state = appliance.state().await;
    if !crate::visibility::may_see_session(&state, who, session) {
        return Err(crate::visibility::no_such_session(session));
    }
    Ok(Json(StreamRights {
        screen: may_view(&state, who, (session, Stream::Screen)).into(),
        control: may_control(&state, who, (session, Stream::Screen)).into(),
        shell: may_view(&state, who, (session, Stream::Shell)).into(),
    }))
}
