//! The customer client's key (issue 26): made at join, its public half bound by the appliance to
//! the session's token, and every request and socket then carries a proof signed with it
//! ([`crate::protocol::PROOF_HEADER`]). A token copied to another computer without the key opens
//! nothing; before, it silently replaced the real client as the shell's host and received what
//! the technician typed. Ed25519 through `ring` (already the TLS stack's).
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use std::sync::Arc;

/// A customer client's key.
#[derive(Clone)]
pub struct ProofKey {
    pair: Arc<Ed25519KeyPair>,
    pkcs8: Arc<Vec<u8>>,
}

impl std::fmt::Debug for ProofKey {
    // The private key never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProofKey(…)")
    }
}

impl ProofKey {
    /// A new key.
    ///
    /// # Errors
    /// Only if the system's random source fails.
    pub fn generate() -> Result<Self, crate::client::ClientError> {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| crate::client::ClientError::Protocol("no key could be made".into()))?;
        Self::from_pkcs8(pkcs8.as_ref())
    }

    /// A key kept as [`ProofKey::to_text`] wrote it (a restarted or elevated client's).
    ///
    /// # Errors
    /// When the text is not such a key.
    pub fn from_text(text: &str) -> Result<Self, crate::client::ClientError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| crate::client::ClientError::Protocol("unreadable key".into()))?;
        Self::from_pkcs8(&bytes)
    }

    fn from_pkcs8(bytes: &[u8]) -> Result<Self, crate::client::ClientError> {
        let pair = Ed25519KeyPair::from_pkcs8(bytes)
            .map_err(|_| crate::client::ClientError::Protocol("unreadable key".into()))?;
        Ok(Self {
            pair: Arc::new(pair),
            pkcs8: Arc::new(bytes.to_vec()),
        })
    }

    /// The whole key as text, to keep in a file only its user reads.
    #[must_use]
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pkcs8.as_slice())
    }

    /// The public half, base64url: what the appliance binds the token to.
    #[must_use]
    pub fn public(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.pair.public_key().as_ref())
    }

    /// The proof for a request with `token`, now.
    #[must_use]
    pub fn header(&self, token: &str) -> String {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let signature = self.pair.sign(&crate::protocol::proof_message(at, token));
        format!("{at}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}
