//! The audit trail (issue 16): refused commands and sign-ins, newest first, as a page and as a
//! CSV file. Only master administrators read it (G1, decided by the rules engine's
//! `State::may_read_audit`).
use super::pages::{now_page, page};
use super::session::WebSession;
use crate::appliance::Appliance;
use crate::store::AuditLine;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tandem_core::domain::Actor;

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

/// An instant as `2026-12-05T22:40:54.123Z`.
fn when(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
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

/// Whether this sign-in may read the audit, and their name.
async fn reader(appliance: &Appliance, session: &WebSession) -> (String, Result<(), String>) {
    let state = appliance.state().await;
    let name = session.name_in(&state);
    let may = state
        .may_read_audit(Actor::Technician(session.technician))
        .map_err(|e| e.to_string());
    (name, may)
}

/// `GET /admin/audit`
pub async fn audit(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let (name, may) = reader(&appliance, &session).await;
    let csrf = session.csrf.clone();
    if let Err(reason) = may {
        let page_ = AuditPage {
            name,
            csrf,
            refused: Some(reason),
            lines: Vec::new(),
        };
        return page(StatusCode::FORBIDDEN, &page_);
    }
    match appliance.store.recent_audit(ON_PAGE).await {
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

/// A CSV field: quoted, quotes doubled, and a leading `= + - @` (or tab, carriage return) made
/// text, so a spreadsheet never runs what someone typed as a formula.
fn field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// `GET /admin/audit.csv`
pub async fn audit_csv(State(appliance): State<Arc<Appliance>>, session: WebSession) -> Response {
    let (_, may) = reader(&appliance, &session).await;
    if let Err(reason) = may {
        return (StatusCode::FORBIDDEN, reason).into_response();
    }
    let lines = match appliance.store.recent_audit(IN_CSV).await {
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
    let mut csv = String::from("when,who,what,outcome\r\n");
    for l in lines {
        let row = [when(l.at), who(&state, l.actor), l.command, l.outcome].map(|v| field(&v));
        csv.push_str(&row.join(","));
        csv.push_str("\r\n");
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(field("plain"), "\"plain\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1+2"), "\"'-1+2\"");
        assert_eq!(when(0), "1970-01-01T00:00:00Z");
    }
}
