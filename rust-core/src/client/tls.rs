//! How a console trusts an appliance: through the platform's trust store (an appliance with a
//! certificate from a public or company CA), or by the SHA-256 fingerprint of its certificate,
//! pinned on first use (the reviewer's self-signed appliance) and checked on every connection.
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::{Arc, Mutex};

pub use crate::protocol::fingerprint;

fn normalise(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Accepts exactly the certificate with the pinned fingerprint (any other is refused, whatever
/// signed it), and still checks that the server holds its key. With no pin, it accepts any
/// certificate and records what it saw, for a first-use prompt.
#[derive(Debug)]
pub struct PinnedVerifier {
    pin: Option<String>,
    seen: Mutex<Option<String>>,
    refused: Mutex<Option<String>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedVerifier {
    /// A verifier for this pin, or for recording what is presented (`None`).
    #[must_use]
    pub fn new(pin: Option<&str>, provider: &CryptoProvider) -> Self {
        Self {
            pin: pin.map(normalise),
            seen: Mutex::new(None),
            refused: Mutex::new(None),
            algorithms: provider.signature_verification_algorithms,
        }
    }

    /// Why the last refused certificate was refused, if one was.
    #[must_use]
    pub fn refused(&self) -> Option<String> {
        self.refused.lock().ok().and_then(|r| r.clone())
    }

    /// The fingerprint of the last certificate presented.
    #[must_use]
    pub fn seen(&self) -> Option<String> {
        self.seen.lock().ok().and_then(|s| s.clone())
    }
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = fingerprint(end_entity.as_ref());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(presented.clone());
        }
        match &self.pin {
            Some(pin) if *pin != normalise(&presented) => {
                let why = format!(
                    "the appliance presented certificate {presented}, not the one pinned for it"
                );
                if let Ok(mut refused) = self.refused.lock() {
                    *refused = Some(why.clone());
                }
                Err(rustls::Error::General(why))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A TLS configuration trusting exactly `pin` (or recording, with `None`), and its verifier.
///
/// # Errors
/// Only if the crypto provider offers no safe protocol version.
pub fn pinned_config(
    pin: Option<&str>,
) -> Result<(Arc<rustls::ClientConfig>, Arc<PinnedVerifier>), rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinnedVerifier::new(pin, &provider));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    Ok((Arc::new(config), verifier))
}

/// How a console trusts an appliance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Exactly the certificate with this SHA-256 fingerprint.
    Pinned(String),
    /// Whatever the operating system trusts (on Android, after the app initialised the
    /// platform verifier with its context).
    Platform,
}

/// A TLS configuration for a way of trusting, and the pinning verifier when there is one.
///
/// # Errors
/// When the platform's verifier cannot be set up, or no safe protocol version is offered.
pub fn trust_config(
    trust: &Trust,
) -> Result<(Arc<rustls::ClientConfig>, Option<Arc<PinnedVerifier>>), rustls::Error> {
    match trust {
        Trust::Pinned(fingerprint) => pinned_config(Some(fingerprint)).map(|(c, v)| (c, Some(v))),
        Trust::Platform => {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth();
            Ok((Arc::new(config), None))
        }
    }
}
