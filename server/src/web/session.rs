//! A sign-in to the web interface: a credential of its own kind (`admin_web`: the API refuses
//! it, and a console's token opens no page), kept in a `__Host-` cookie the page's scripts could
//! not read if there were any, sent only to this host over HTTPS and never with a request from
//! another site. Each form carries a token derived from it, which a page elsewhere cannot know.
use crate::appliance::Appliance;
use crate::auth::Credential;
use crate::secret;
use crate::store::TokenKind;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;
use tandem_core::domain::TechnicianId;

/// The cookie's name: `__Host-` makes browsers insist on Secure, this host only, and Path=/.
pub const COOKIE: &str = "__Host-tandem-admin";

/// A signed-in administrator (or technician: what they may do is the rules engine's to say).
pub struct WebSession {
    /// Who is signed in.
    pub technician: TechnicianId,
    /// The sign-in's token (for signing out), never logged.
    pub token: String,
    /// The token every form of this sign-in carries.
    pub csrf: String,
}

impl std::fmt::Debug for WebSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSession")
            .field("technician", &self.technician)
            .finish_non_exhaustive()
    }
}

/// The form token of a sign-in: derived from its token with a purpose of its own, so it proves
/// the form was served to whoever holds the cookie, and says nothing usable about the cookie.
#[must_use]
pub fn csrf_for(token: &str) -> String {
    secret::hash(&format!("tandem admin form:{token}"))
}

impl WebSession {
    /// The signed-in account's name, for the pages' header.
    #[must_use]
    pub fn name_in(&self, state: &tandem_core::domain::State) -> String {
        state
            .technicians
            .get(&self.technician)
            .map_or_else(String::new, |t| t.name.clone())
    }

    /// Whether a form's token is this sign-in's (compared in constant time).
    #[must_use]
    pub fn carried_by(&self, form_token: &str) -> bool {
        bool::from(self.csrf.as_bytes().ct_eq(form_token.as_bytes()))
    }
}

/// The cookie that holds a new sign-in for `max_age_s` seconds.
#[must_use]
pub fn set_cookie(token: &str, max_age_s: i64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age_s}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("__Host-tandem-admin=; Path=/; Max-Age=0"))
}

/// The cookie that ends a sign-in in the browser.
#[must_use]
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-tandem-admin=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// The sign-in's token in a request's cookies, if any.
fn token_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE && !value.is_empty()).then(|| value.to_owned())
        })
}

/// Not signed in (or no longer): to the sign-in page; signed in, but two-step sign-in is to be
/// set up first: to its page.
#[derive(Debug)]
pub enum SignInFirst {
    /// No valid sign-in.
    SignIn,
    /// A group requires two-step sign-in, not set up yet.
    SetUpTwoStep,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn => (
                [(header::SET_COOKIE, clear_cookie())],
                Redirect::to("/login"),
            )
                .into_response(),
            Self::SetUpTwoStep => Redirect::to("/account/two-step").into_response(),
        }
    }
}

impl FromRequestParts<Arc<Appliance>> for WebSession {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        appliance: &Arc<Appliance>,
    ) -> Result<Self, SignInFirst> {
        let token = token_in(&parts.headers).ok_or(SignInFirst::SignIn)?;
        let credential = Credential::of(appliance, &token)
            .await
            .map_err(|_| SignInFirst::SignIn)?;
        // A console's token in this cookie opens nothing here, as this one opens no API.
        if credential.kind != TokenKind::AdminWeb {
            return Err(SignInFirst::SignIn);
        }
        let id = u64::try_from(credential.subject).map_err(|_| SignInFirst::SignIn)?;
        // A group of theirs requires two-step sign-in and they have not set it up: every page
        // but that one (and signing out) sends them there first (issue 26).
        let path = parts.uri.path();
        if !path.starts_with("/account/two-step")
            && path != "/logout"
            && appliance
                .state()
                .await
                .second_factor_required(TechnicianId(id))
            && crate::second_factor::enrolment(&appliance.store, TechnicianId(id))
                .await
                .map_err(|_| SignInFirst::SignIn)?
                != crate::second_factor::Enrolment::Enabled
        {
            return Err(SignInFirst::SetUpTwoStep);
        }
        Ok(Self {
            technician: TechnicianId(id),
            csrf: csrf_for(&token),
            token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_is_read_from_its_cookie_alone() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-tandem-admin=tok; b=2"),
        );
        assert_eq!(token_in(&h).as_deref(), Some("tok"));
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("tandem-admin=tok; __Host-tandem-admin="),
        );
        assert_eq!(token_in(&h), None, "a look-alike name, an empty value");
    }

    #[test]
    fn a_form_token_is_the_sign_ins_own() {
        let session = WebSession {
            technician: TechnicianId(1),
            token: "t".into(),
            csrf: csrf_for("t"),
        };
        assert!(session.carried_by(&csrf_for("t")));
        assert!(!session.carried_by(&csrf_for("u")));
        assert!(!session.carried_by(""));
        assert_ne!(
            csrf_for("t"),
            secret::hash("t"),
            "not the token's stored hash"
        );
    }
}
