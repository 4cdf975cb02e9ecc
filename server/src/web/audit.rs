//! The audit trail (issue 16): refused commands and sign-ins, newest first, as a page and as a
//! CSV file. Master administrators read all of it, administrators the lines of the technicians
//! they manage and their own (G1, decided by the rules engine's `State::admin_scope`).
use super::format::{csv, when};
use super::pages::{now_page, page};
use super::session::WebSession;
use crate::appliance::{Appliance, actor_label};
use crate::store::AuditLine;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tandem_core::domain::{Actor, AdminScope};

/// Lines shown on the page; the CSV carries more.
const ON_PAGE: i64 = 500;
/// Lines in the CSV file, newest first.
const IN_CSV: i64 = 100_000;

/// A line as shown.
#[derive(Debug)]
pub struct Shown {
    when: String,
    actor: String,
    command: String,
    outcome: String,
}

/// The audit page.
#[derive(Debug, Template)]
#[template(path = "audit.html")]
struct AuditPage {
    name: String,
    csrf: String,
    refused: Option<String>,
    lines: Vec<Shown>,
}

/// `technician:3` as "Ada Admin (technician 3)" while the account exists.
fn who(state: &tandem_core::domain::State, actor: String) -> String {
    let named = actor
        .strip_prefix("technician:")
        .and_then(|id| id.parse::<u64>().ok())
        .and_then(|id| {
            state
                .technicians
                .get(&tandem_core::domain::TechnicianId(id))
        })
        .map(|t| format!("{} (technician {})", t.name, t.id.0));
    named.unwrap_or(actor)
}

fn shown(state: &tandem_core::domain::State, line: AuditLine) -> Shown {
    Shown {
        when: when(line.at),
        actor: who(state, line.actor),
        command: line.command,
        outcome: line.outcome,
    }
}

/// Whose audit lines this sign-in reads (`None`: every line; or why none), and their name.
async fn reader(
    appliance: &Appliance,
    session: &WebSession,
) -> (String, Result<Option<Vec<String>>, String>) {
    let state = appliance.state().await;
    let name = session.name_in(&state);
    let actors = match state.admin_scope(Actor::Technician(session.technician)) {
        Ok(AdminScope::Every) => Ok(None),
        Ok(AdminScope::Within { technicians, .. }) => Ok(Some(
            technicians
                .into_iter()
                .map(|t| actor_label(Actor::Technician(t)))
                .collect(),
        )),
        Err(e) => Err(e.to_string()),
    };
    (name, actors)
}

/// `GET /admin/audit`
pub async fn audit(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let (name, actors) = reader(&appliance, &session).await;
    let csrf = session.csrf.clone();
    let actors = match actors {
        Ok(actors) => actors,
        Err(reason) => {
            let page_ = AuditPage {
                name,
                csrf,
                refused: Some(reason),
                lines: Vec::new(),
            };
            return page(StatusCode::FORBIDDEN, &page_);
        }
    };
    match appliance
        .store
        .recent_audit(ON_PAGE, actors.as_deref())
        .await
    {
        Ok(lines) => {
            let state = appliance.state().await;
            let lines = lines.into_iter().map(|l| shown(&state, l)).collect();
            let page_ = AuditPage {
                name,
                csrf,
                refused: None,
                lines,
            };
            page(StatusCode::OK, &page_)
        }
        Err(e) => {
            tracing::warn!(error = %e, "the audit could not be read");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit could not be read",
            )
                .into_response()
        }
    }
}

/// `GET /admin/audit.csv`
pub async fn audit_csv(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let (_, actors) = reader(&appliance, &session).await;
    let actors = match actors {
        Ok(actors) => actors,
        Err(reason) => return (StatusCode::FORBIDDEN, reason).into_response(),
    };
    let lines = match appliance
        .store
        .recent_audit(IN_CSV, actors.as_deref())
        .await
    {
        Ok(lines) => lines,
        Err(e) => {
            tracing::warn!(error = %e, "the audit could not be read");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit could not be read",
            )
                .into_response();
        }
    };
    let state = appliance.state().await;
    let csv = csv(
        "when,who,what,outcome",
        lines
            .into_iter()
            .map(|l| vec![when(l.at), who(&state, l.actor), l.command, l.outcome]),
    );
    let file = format!("attachment; filename=\"tandem-audit-{}.csv\"", now_page());
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        csv,
    )
        .into_response()
}
