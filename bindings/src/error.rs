//! The one error type Kotlin sees, mapped once from the core's.
use tandem_core::client::ClientError;

/// Why a console call failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TandemError {
    /// The appliance refused: the rules (then `rule` names it, e.g. "T3"), a wrong password, a
    /// used link.
    #[error("{detail}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Stable code: denied, unauthorized, locked, gone, already_used …
        code: String,
        /// What went wrong, to show.
        detail: String,
        /// The product rule behind a denial.
        rule: Option<String>,
    },
    /// The appliance cannot be reached.
    #[error("{detail}")]
    Network {
        /// What happened.
        detail: String,
    },
    /// The appliance's certificate is not the pinned one.
    #[error("{detail}")]
    Untrusted {
        /// What was presented.
        detail: String,
    },
    /// The appliance said something unexpected.
    #[error("{detail}")]
    Protocol {
        /// What.
        detail: String,
    },
    /// The address is not usable.
    #[error("{detail}")]
    Address {
        /// Why.
        detail: String,
    },
    /// This library failed (its runtime stopped).
    #[error("{detail}")]
    Internal {
        /// What.
        detail: String,
    },
}

impl From<ClientError> for TandemError {
    fn from(e: ClientError) -> Self {
        let detail = e.to_string();
        match e {
            ClientError::Refused {
                status,
                code,
                message,
                rule,
            } => Self::Refused {
                status,
                code,
                detail: message,
                rule,
            },
            ClientError::Network(_) => Self::Network { detail },
            ClientError::Untrusted(_) => Self::Untrusted { detail },
            ClientError::Protocol(_) => Self::Protocol { detail },
            ClientError::Address(_) => Self::Address { detail },
        }
    }
}
