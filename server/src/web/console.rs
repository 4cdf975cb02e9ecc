//! The external user's web console (issue 16, X4): the page a one-time link opens, its script and
//! stylesheet, and the screen viewer compiled to WebAssembly (`web-console/`, built by the
//! appliance's build script). All of it is in the binary: nothing is fetched from elsewhere,
//! at run time or ever.
//!
//! The page works with the external user's own credential, from the link's redemption, through
//! the same API and streams as every console: the appliance decides what they may see and do;
//! the page only shows it. The screen is decoded in the browser (the appliance never decodes).
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Scripts only from the appliance, WebAssembly compiled from them (`'wasm-unsafe-eval'`:
/// what `WebAssembly.instantiate` needs, nothing like `eval`), connections only back to it.
pub const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The screen viewer, built for `wasm32-unknown-unknown` by `build.rs`.
const VIEWER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/viewer.wasm"));

/// The security headers on the web console's responses. The page's address holds the link's
/// token: no referrer ever carries it away.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    super::guard::secure(&mut response, CSP, "no-referrer");
    response
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// `GET /join/{token}`: the page. The token stays in the page's own address; the page sends
/// it in request bodies only.
pub async fn page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("../../static/console.html"),
    )
        .into_response()
}

/// `GET /static/console.js`
pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/console.js"),
    )
}

/// `GET /static/screen-worker.js`: the screen's stream and decoding, off the page's main thread.
pub async fn screen_worker() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/screen-worker.js"),
    )
}

/// `GET /static/viewer.wasm`
pub async fn viewer() -> Response {
    asset("application/wasm", VIEWER)
}
