//! What can go wrong talking to an appliance, typed so a console can say it plainly.
use crate::protocol::ErrorBody;

/// A failure of a console call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The appliance answered with an error: a refusal by the rules (`rule` names it), a bad
    /// sign-in, a used-up link.
    #[error("{message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The stable error code (denied, unauthorized, gone …).
        code: String,
        /// What went wrong, in words.
        message: String,
        /// The product rule behind a denial.
        rule: Option<String>,
    },
    /// The appliance could not be reached or the connection broke.
    #[error("cannot reach the appliance: {0}")]
    Network(String),
    /// The appliance's certificate is not the trusted one.
    #[error("the appliance's certificate is not trusted: {0}")]
    Untrusted(String),
    /// The appliance said something this console does not understand.
    #[error("unexpected answer from the appliance: {0}")]
    Protocol(String),
    /// The address given is not a usable URL.
    #[error("not an appliance address: {0}")]
    Address(String),
}

impl ClientError {
    pub(crate) fn refused(status: u16, body: ErrorBody) -> Self {
        Self::Refused {
            status,
            code: body.error,
            message: body.message,
            rule: body.rule,
        }
    }

    pub(crate) fn from_reqwest(e: &reqwest::Error) -> Self {
        if let Some(tls) = rustls_in(e) {
            return Self::Untrusted(tls.to_string());
        }
        if e.is_decode() {
            Self::Protocol(e.to_string())
        } else {
            Self::Network(e.to_string())
        }
    }
}

/// rustls' refusal inside a transport error. Beneath hyper it travels in `io::Error`s nested in
/// each other, whose `source()` skips the error they wrap, so each one is opened with `get_ref`.
fn rustls_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(e);
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        current = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}
