//! Random secrets (tokens, links, keys) and how they are stored: only as SHA-256 hashes, so a copy
//! of the database reveals no usable token.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// A fresh 256-bit secret, URL-safe.
///
/// # Panics
/// Never in practice: the operating system's random source failing is unrecoverable.
#[must_use]
#[allow(clippy::expect_used)]
pub fn token() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A session key a customer types: eight characters from an alphabet without look-alikes.
#[must_use]
#[allow(clippy::expect_used)]
pub fn session_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 8];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random source works");
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// How a secret is stored and looked up.
#[must_use]
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.trim().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
