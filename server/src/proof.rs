//! A customer's token bound to its client's key (issue 26): a customer client makes an Ed25519
//! key at join and sends its public half; the appliance binds it to the session token it issues,
//! and every request with that token must then carry a proof signed with the key
//! ([`tandem_core::protocol::PROOF_HEADER`], over [`tandem_core::protocol::proof_message`]). A
//! token copied to another computer opens nothing there: before, it silently replaced the real
//! client as the host of the shell, and received what the technician typed into it.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{ED25519, UnparsedPublicKey};
use tandem_core::protocol::{PROOF_WINDOW_MS, proof_message};

/// A public key as a client sends it: base64url of 32 bytes. `None` for anything else.
#[must_use]
pub fn parse_public(text: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
    (bytes.len() == 32).then(|| URL_SAFE_NO_PAD.encode(bytes))
}

/// A stored public key's bytes.
#[must_use]
pub fn key_bytes(text: &str) -> Option<[u8; 32]> {
    URL_SAFE_NO_PAD.decode(text.trim()).ok()?.try_into().ok()
}

/// Whether `header` proves the key `public` for a request with `token` at `now_ms`.
#[must_use]
pub fn verify(public: &[u8; 32], header: &str, token: &str, now_ms: i64) -> bool {
    let Some((at, signature)) = header.trim().split_once('.') else {
        return false;
    };
    let (Ok(at), Ok(signature)) = (at.parse::<i64>(), URL_SAFE_NO_PAD.decode(signature)) else {
        return false;
    };
    if (now_ms - at).abs() > PROOF_WINDOW_MS {
        return false;
    }
    UnparsedPublicKey::new(&ED25519, public.as_slice())
        .verify(&proof_message(at, token), &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair as _};

    #[test]
    fn a_proof_holds_for_its_key_its_token_and_its_time_only() {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap_or_else(|_| panic!("a key"));
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap_or_else(|_| panic!("a key"));
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let key = key_bytes(&public).unwrap_or_else(|| panic!("32 bytes"));
        let at = 1_700_000_000_000;
        let sign = |at: i64, token: &str| {
            format!(
                "{at}.{}",
                URL_SAFE_NO_PAD.encode(pair.sign(&proof_message(at, token)).as_ref())
            )
        };
        assert!(verify(&key, &sign(at, "tok"), "tok", at + 1000));
        assert!(
            !verify(&key, &sign(at, "tok"), "other", at),
            "another token"
        );
        assert!(
            !verify(&key, &sign(at, "tok"), "tok", at + PROOF_WINDOW_MS + 1),
            "too old"
        );
        let other = Ed25519KeyPair::generate_pkcs8(&rng).unwrap_or_else(|_| panic!("a key"));
        let other = Ed25519KeyPair::from_pkcs8(other.as_ref()).unwrap_or_else(|_| panic!("a key"));
        let theirs = key_bytes(&URL_SAFE_NO_PAD.encode(other.public_key().as_ref()))
            .unwrap_or_else(|| panic!("32 bytes"));
        assert!(!verify(&theirs, &sign(at, "tok"), "tok", at), "another key");
        assert!(!verify(&key, "nonsense", "tok", at));
        assert_eq!(parse_public(&public), Some(public.clone()));
        assert_eq!(parse_public("short"), None);
    }
}
