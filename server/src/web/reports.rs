//! Session reports (issue 16): the sessions, newest first, and for each who took part, when and
//! for how long, and its chat, as a page and as a CSV file. Master administrators read every
//! session's, administrators those of the technicians and groups below theirs (G1, decided by
//! the rules engine's `State::admin_scope`; the list asks the store for those sessions only).
use super::format::{csv, length, when};
use super::pages::{now_page, page};
use super::session::WebSession;
use crate::appliance::{Appliance, now_ms};
use crate::reports::{Report, report};
use crate::store::Parties;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use tandem_core::domain::{Actor, AdminScope, SessionId};

/// Sessions listed on a page.
const PER_PAGE: i64 = 50;

/// A session as listed.
#[derive(Debug)]
pub struct Row {
    id: i64,
    customer: String,
    started: String,
    length: String,
}

/// The list of sessions.
#[derive(Debug, Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    name: String,
    csrf: String,
    refused: Option<String>,
    sessions: Vec<Row>,
    /// Where the next page starts (`started_at.session`), when there is one.
    older: Option<String>,
}

/// Someone's part, as shown.
#[derive(Debug)]
pub struct PartRow {
    who: String,
    role: &'static str,
    joined: String,
    left: String,
    length: String,
}

/// A chat line, as shown.
#[derive(Debug)]
pub struct SaidRow {
    at: String,
    who: String,
    text: String,
}

/// One session's report.
#[derive(Debug, Template)]
#[template(path = "session_report.html")]
struct ReportPage {
    name: String,
    csrf: String,
    id: u64,
    customer: String,
    started: String,
    ended: String,
    length: String,
    parts: Vec<PartRow>,
    chat: Vec<SaidRow>,
}

/// Whose reports this sign-in reads (or why none), and their name.
async fn reader(
    appliance: &Appliance,
    session: &WebSession,
) -> (String, Result<AdminScope, String>) {
    let state = appliance.state().await;
    let name = session.name_in(&state);
    let scope = state
        .admin_scope(Actor::Technician(session.technician))
        .map_err(|e| e.to_string());
    (name, scope)
}

fn unavailable(e: &impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "the session reports could not be read");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The session reports could not be read",
    )
        .into_response()
}

/// Which page of sessions: those started before `before` (`started_at.session`).
#[derive(Debug, Deserialize)]
pub struct Paging {
    before: Option<String>,
}

/// `GET /admin/sessions`
pub async fn sessions(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Query(paging): Query<Paging>,
) -> Response {
    let (name, scope) = reader(&appliance, &session).await;
    let csrf = session.csrf.clone();
    let within = match scope {
        Ok(AdminScope::Every) => None,
        Ok(AdminScope::Within { technicians, teams }) => Some(Parties {
            technicians: technicians.into_iter().collect(),
            teams: teams.into_iter().collect(),
        }),
        Err(reason) => {
            let refused = SessionsPage {
                name,
                csrf,
                refused: Some(reason),
                sessions: Vec::new(),
                older: None,
            };
            return page(StatusCode::FORBIDDEN, &refused);
        }
    };
    let before = paging.before.as_deref().and_then(|b| {
        let (at, id) = b.split_once('.')?;
        Some((at.parse().ok()?, id.parse().ok()?))
    });
    let listed = match appliance
        .store
        .sessions(before, PER_PAGE, within.as_ref())
        .await
    {
        Ok(listed) => listed,
        Err(e) => return unavailable(&e),
    };
    let now = now_ms();
    let older = (listed.len() == usize::try_from(PER_PAGE).unwrap_or(usize::MAX))
        .then(|| {
            listed
                .last()
                .map(|l| format!("{}.{}", l.started_at, l.session))
        })
        .flatten();
    let sessions = listed
        .into_iter()
        .map(|l| Row {
            id: l.session,
            customer: l.customer,
            started: when(l.started_at),
            length: match l.ended_at {
                Some(end) => length(end - l.started_at),
                None => format!("{} so far", length(now - l.started_at)),
            },
        })
        .collect();
    let listing = SessionsPage {
        name,
        csrf,
        refused: None,
        sessions,
        older,
    };
    page(StatusCode::OK, &listing)
}

/// The report of a session, if the reader may read it and it exists.
async fn read(
    appliance: &Appliance,
    session: &WebSession,
    id: u64,
) -> Result<(String, Report), Response> {
    let (name, scope) = reader(appliance, session).await;
    let refused = |reason: String| page(StatusCode::FORBIDDEN, &super::pages::refused(reason));
    let scope = scope.map_err(refused)?;
    // Outside the reader's scope, a session that exists and one that does not look alike.
    if scope != AdminScope::Every {
        let parties = match appliance.store.session_parties(SessionId(id)).await {
            Ok(parties) => parties,
            Err(e) => return Err(unavailable(&e)),
        };
        let state = appliance.state().await;
        let actor = Actor::Technician(session.technician);
        state
            .may_read_session_report(actor, &parties.technicians, &parties.teams)
            .map_err(|e| refused(e.to_string()))?;
    }
    let events = match appliance
        .store
        .session_events(i64::try_from(id).unwrap_or(i64::MAX))
        .await
    {
        Ok(events) => events,
        Err(e) => return Err(unavailable(&e)),
    };
    if events.is_empty() {
        let missing = super::pages::refused(format!("There is no session {id}"));
        return Err(page(StatusCode::NOT_FOUND, &missing));
    }
    let state = appliance.state().await;
    Ok((name, report(SessionId(id), &events, &state)))
}

/// `GET /admin/sessions/{id}`
pub async fn session_report(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(id): Path<u64>,
) -> Response {
    let (name, r) = match read(&appliance, &session, id).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let now = now_ms();
    let shown = ReportPage {
        name,
        csrf: session.csrf.clone(),
        id,
        started: r.started.map_or_else(|| "-".into(), when),
        ended: r
            .ended
            .map_or_else(|| "still going".into(), |e| format!("ended {}", when(e))),
        length: r.length(now).map_or_else(|| "-".into(), length),
        parts: r
            .parts
            .iter()
            .map(|p| PartRow {
                who: p.who.clone(),
                role: p.role,
                joined: when(p.joined),
                left: p.left.map_or_else(|| "still in".into(), when),
                length: length(p.left.unwrap_or(now) - p.joined),
            })
            .collect(),
        chat: r
            .chat
            .iter()
            .map(|c| SaidRow {
                at: when(c.at),
                who: c.who.clone(),
                text: c.text.clone(),
            })
            .collect(),
        customer: r.customer,
    };
    page(StatusCode::OK, &shown)
}

/// `GET /admin/sessions/{id}/report.csv`: one line per arrival, departure and chat line, in
/// order of time.
pub async fn session_report_csv(
    State(appliance): State<Arc<Appliance>>,
    session: WebSession,
    Path(id): Path<u64>,
) -> Response {
    let r = match read(&appliance, &session, id).await {
        Ok((_, r)) => r,
        Err(refused) => return refused,
    };
    let mut lines: Vec<(i64, Vec<String>)> = Vec::new();
    for p in &r.parts {
        let moved = |at: i64, what: &str| {
            let line = vec![
                when(at),
                p.who.clone(),
                p.role.into(),
                what.into(),
                String::new(),
            ];
            (at, line)
        };
        lines.push(moved(p.joined, "came in"));
        lines.extend(p.left.map(|left| moved(left, "left")));
    }
    for c in &r.chat {
        lines.push((
            c.at,
            vec![
                when(c.at),
                c.who.clone(),
                String::new(),
                "said".into(),
                c.text.clone(),
            ],
        ));
    }
    // Stable: what happened at the same instant stays in the report's order.
    lines.sort_by_key(|(at, _)| *at);
    let file = format!(
        "attachment; filename=\"tandem-session-{id}-{}.csv\"",
        now_page()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        csv("when,who,as,what,text", lines.into_iter().map(|(_, l)| l)),
    )
        .into_response()
}
