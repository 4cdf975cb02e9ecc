//! Every error a request can meet, mapped once to a status and a JSON body a person can read.
use crate::store::StoreError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tandem_core::domain::CommandError;
use tandem_core::protocol::ErrorBody;

/// What went wrong with a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The rules engine refused the command, or it named something unknown or malformed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// No valid credentials or token.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Too many attempts from this address (or for this account name from it): try again later.
    #[error("Too many attempts; try again in {retry_after_s} s")]
    TooManyRequests {
        /// Seconds until the next attempt is checked.
        retry_after_s: i64,
    },
    /// Too much work is waiting (password hashing under a flood): try again in a moment.
    #[error("The appliance is busy; try again in a moment")]
    Busy,
    /// The request body or query is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The request body is larger than the API accepts.
    #[error("The request body is too large")]
    TooLarge,
    /// A link or key that exists no more, or never did.
    #[error("{0}")]
    Gone(&'static str),
    /// The password was right; the account signs in with a code from its authenticator app too
    /// (issue 26).
    #[error("Type the six-digit code your authenticator app shows for Tandem")]
    SecondFactorRequired,
    /// The account's group requires two-step sign-in, which it has not set up.
    #[error(
        "Your group requires two-step sign-in: set it up first at this appliance's /login page, then sign in again"
    )]
    SecondFactorSetupRequired,
    /// A one-time link or key used up by someone else first.
    #[error("{0}")]
    AlreadyUsed(&'static str),
    /// The database failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// Something that should not happen did.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::TooLarge;
        }
        Self::BadRequest(format!("Malformed request body: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(format!("Malformed query: {}", rejection.body_text()))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(StoreError::Database(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, rule) = match &self {
            Self::Command(CommandError::Denied(d)) => {
                (StatusCode::FORBIDDEN, "denied", Some(d.rule.to_string()))
            }
            Self::Command(CommandError::NotFound { .. }) => {
                (StatusCode::NOT_FOUND, "not_found", None)
            }
            Self::Command(CommandError::Invalid(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid", None)
            }
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited", None),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", None),
            Self::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy", None),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            Self::Gone(_) => (StatusCode::GONE, "gone", None),
            Self::SecondFactorRequired => {
                (StatusCode::UNAUTHORIZED, "second_factor_required", None)
            }
            Self::SecondFactorSetupRequired => {
                (StatusCode::FORBIDDEN, "second_factor_setup_required", None)
            }
            Self::AlreadyUsed(_) => (StatusCode::CONFLICT, "already_used", None),
            Self::Store(e) => {
                tracing::error!(error = %e, "storage failed");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", None)
            }
            Self::Internal(what) => {
                tracing::error!(what, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", None)
            }
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error: error.to_owned(),
                message: self.to_string(),
                rule,
            }),
        )
            .into_response();
        let retry_after_s = match self {
            Self::TooManyRequests { retry_after_s } => Some(retry_after_s),
            Self::Busy => Some(1),
            _ => None,
        };
        if let Some(retry_after_s) = retry_after_s
            && let Ok(v) = HeaderValue::from_str(&retry_after_s.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
