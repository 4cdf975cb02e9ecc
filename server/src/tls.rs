//! TLS: a self-signed certificate made on first start (and its fingerprint, which consoles pin),
//! or a given certificate and key.
use crate::config::{Config, TlsMode};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use std::path::Path;
use std::sync::Arc;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a certificate file failed.
    #[error("certificate file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The PEM data is not a usable certificate or key.
    #[error("certificate or key is not usable: {0}")]
    Pem(String),
    /// Generating the self-signed certificate failed.
    #[error("could not make a self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate and key.
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate the appliance serves, ready for rustls.
#[derive(Debug)]
pub struct Identity {
    /// The certificate chain, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's SHA-256 fingerprint, as consoles show and pin it (`AB:CD:…`).
    pub fingerprint: String,
    /// The rustls server configuration.
    pub server_config: Arc<rustls::ServerConfig>,
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn write_private(path: &Path, data: &str) -> Result<(), TlsError> {
    let io = |source| TlsError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::write(path, data).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

pub use tandem_core::protocol::fingerprint;

/// Load the configured certificate, or make (once) and load the self-signed one.
///
/// # Errors
/// When files cannot be read or written, or rustls refuses them.
pub fn identity(config: &Config) -> Result<Option<Identity>, TlsError> {
    let (cert_path, key_path) = match &config.tls {
        TlsMode::InsecureLoopback => return Ok(None),
        TlsMode::Files { cert, key } => (cert.clone(), key.clone()),
        TlsMode::SelfSigned => {
            let cert = config.data_dir.join("tls-cert.pem");
            let key = config.data_dir.join("tls-key.pem");
            if !cert.exists() || !key.exists() {
                generate(config, &cert, &key)?;
            }
            (cert, key)
        }
    };
    let chain = CertificateDer::pem_slice_iter(&read(&cert_path)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(&read(&key_path)?)
        .map_err(|e| TlsError::Pem(e.to_string()))?;
    let leaf = chain
        .first()
        .ok_or_else(|| TlsError::Pem("no certificate in the file".into()))?;
    let fingerprint = fingerprint(leaf.as_ref());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key)?;
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(Identity {
        chain,
        fingerprint,
        server_config: Arc::new(server_config),
    }))
}

/// A certificate for the names a reviewer's console may use: localhost, the loopback addresses,
/// the Android emulator's view of the host (10.0.2.2), and the public URL's host.
fn generate(config: &Config, cert: &Path, key: &Path) -> Result<(), TlsError> {
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
        "10.0.2.2".to_owned(),
    ];
    if let Some(host) = config.public_url.host_str() {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if !names.contains(&host) {
            names.push(host);
        }
    }
    let certified = rcgen::generate_simple_self_signed(names)?;
    std::fs::create_dir_all(&config.data_dir).map_err(|source| TlsError::Io {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    write_private(key, &certified.key_pair.serialize_pem())?;
    write_private(cert, &certified.cert.pem())?;
    Ok(())
}
