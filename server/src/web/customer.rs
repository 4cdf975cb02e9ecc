//! The customer's side in a browser (issue 27): the portal at `/` where a session key is typed,
//! and the page a session link opens (`/customer?key=…`), with its script. Click-to-chat runs in
//! the page (E1) through the same API and event socket as every client; the support client is
//! offered from it when more than chat is needed (`crate::api::download`).
use crate::appliance::{Appliance, now_ms};
use crate::secret;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// The customer's page runs its own script and talks only to the appliance (its API and event
/// socket); nothing else, no frame, no inline code.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The security headers of the customer's page and script. Its address holds the session key:
/// no referrer ever carries it away.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    super::guard::secure(&mut response, CSP, "no-referrer");
    response
}

/// How every session key that cannot be used is told, whatever the reason: unknown, used or
/// expired read the same, so the page cannot be used to learn which keys were ever given out.
const UNUSABLE_KEY: &str = "This session key is not valid, was used already, or has expired";

#[derive(askama::Template)]
#[template(path = "customer.html")]
struct CustomerPage {
    usable: bool,
    why: &'static str,
}

#[derive(askama::Template)]
#[template(path = "portal.html")]
struct Portal;

/// `GET /`: where a customer types the key a technician gave them.
pub async fn portal() -> Response {
    super::page(StatusCode::OK, &Portal)
}

/// `GET /customer?key=…`: the chat when the key can be used; otherwise the page says it cannot
/// (410), and its script still resumes a chat this tab already started with the key. Looking a
/// key up is rate-limited like every request that needs no account.
pub async fn page(
    State(appliance): State<Arc<Appliance>>,
    ConnectInfo(source): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let key = query.get("key").map_or("", |k| k.trim());
    if key.is_empty() {
        return portal().await;
    }
    if let Err(refused) = appliance.limits.guest(source.ip()) {
        return refused.into_response();
    }
    let usable = match appliance
        .store
        .session_key_queue(&secret::hash(&key.to_uppercase()), now_ms())
        .await
    {
        Ok(queue) => queue.is_some(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let status = if usable {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    super::page(
        status,
        &CustomerPage {
            usable,
            why: UNUSABLE_KEY,
        },
    )
}

/// `GET /static/customer.js`
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/customer.js"),
    )
        .into_response()
}
