//! What every page carries, and what every change must prove about where it comes from.
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// No script, no frame, no form posting elsewhere, nothing loaded from elsewhere.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The security headers on every response of the web interface.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    secure(&mut response, CSP, "same-origin");
    response
}

/// The headers on every other response of the appliance (the API, the customer's page, an
/// invitation's page, health): the strict policy where a route set none of its own (issue 26:
/// `/customer?key=…` and `/invitations/{id}` carried none), and no referrer, since a customer's
/// page holds its session key in its address.
pub async fn everywhere(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// Put the headers every page of the appliance carries on `response`: its Content-Security-
/// Policy, no sniffing, no framing, this referrer policy, and no caching unless it says otherwise.
pub fn secure(response: &mut Response, csp: &'static str, referrer: &'static str) {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Whether a request that changes something comes from the appliance's own pages: the browser's
/// Fetch Metadata says same-origin, and its Origin (when sent) is this very host over HTTPS. A
/// request with neither is refused: every current browser sends them on a form post. SameSite
/// alone is not enough: another port of the same host is the same site (measured: Chromium
/// sends a Strict cookie with a form posted from :8822 to :8821).
/// `authority` is the request's own host and port: HTTP/2 carries it in the request line's
/// `:authority`, not in a `Host` header.
#[must_use]
pub fn from_own_pages(headers: &HeaderMap, authority: Option<&str>) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let fetch_site = value("sec-fetch-site");
    let origin = value("origin");
    let host = value("host").or(authority);
    if fetch_site.is_some_and(|s| s != "same-origin") {
        return false;
    }
    match (origin, host) {
        (Some(origin), Some(host)) => origin.eq_ignore_ascii_case(&format!("https://{host}")),
        (Some(_), None) => false,
        (None, _) => fetch_site.is_some(),
    }
}

/// Refuses changes that do not come from the appliance's own pages (403, before any handler).
pub async fn same_origin(request: Request, next: Next) -> Response {
    if request.method() != Method::GET
        && request.method() != Method::HEAD
        && !from_own_pages(
            request.headers(),
            request.uri().authority().map(|a| a.as_str()),
        )
    {
        tracing::info!(path = %request.uri().path(), "a change from another origin was refused");
        return (
            StatusCode::FORBIDDEN,
            "Refused: this change did not come from the appliance's own pages.",
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own_origin_only() -> (&'static str, &'static str) {
        ("origin", "https://tandem.example:8443")
    }

    fn own(headers: &HeaderMap) -> bool {
        from_own_pages(headers, None)
    }

    fn with(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_a_post_from_this_hosts_own_pages_is_taken() {
        let host = ("host", "tandem.example:8443");
        let mine = ("origin", "https://tandem.example:8443");
        assert!(own(&with(&[host, mine, ("sec-fetch-site", "same-origin")])));
        assert!(own(&with(&[host, mine])), "an older browser: Origin alone");
        // Another port of the same host is the same site, not the same origin.
        let other_port = ("origin", "https://tandem.example:8822");
        assert!(!own(&with(&[
            host,
            other_port,
            ("sec-fetch-site", "same-site")
        ])));
        assert!(!own(&with(&[host, other_port])));
        assert!(
            !own(&with(&[host, ("origin", "http://tandem.example:8443")])),
            "not over HTTPS"
        );
        assert!(!own(&with(&[host, mine, ("sec-fetch-site", "cross-site")])));
        assert!(
            !own(&with(&[host])),
            "neither header: not a browser form post"
        );
        assert!(!own(&with(&[host, ("origin", "null")])));
        // HTTP/2: the host is the request's authority.
        let h2 = with(&[own_origin_only()]);
        assert!(from_own_pages(&h2, Some("tandem.example:8443")));
        assert!(!from_own_pages(&h2, Some("evil.example")));
    }
}
