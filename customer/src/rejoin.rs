//! Rejoining a session after the customer client was restarted on the same computer (a crash,
//! a reboot): the session key is used up once joined, so the client keeps what it joined with
//! (the appliance, the session and its customer token) in a file only this user can read,
//! named after a hash of the key, never the key. Started again with the same key or link, it
//! rejoins while the session still waits for it; the file goes when the session is over.
use crate::button::Places;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tandem_core::domain::SessionId;

/// What a restarted client needs to rejoin.
#[derive(Clone, Serialize, Deserialize)]
pub struct Saved {
    /// The appliance's address.
    pub url: String,
    /// Its pinned fingerprint, if self-signed.
    pub fingerprint: Option<String>,
    /// The session joined.
    pub session: SessionId,
    /// The customer token the appliance issued for it.
    pub token: String,
    /// The key the token is bound to (issue 26), as `ProofKey::to_text` wrote it.
    #[serde(default)]
    pub proof: Option<String>,
}

tandem_core::debug_without_secrets!(Saved { url, session });

fn file(places: &Places, key: &str) -> PathBuf {
    let digest = Sha256::digest(key.trim().as_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    places.data.join("rejoin").join(format!("{name}.json"))
}

/// Keep what this client joined with, for a restart.
///
/// # Errors
/// When the file cannot be written.
pub fn save(places: &Places, key: &str, saved: &Saved) -> std::io::Result<()> {
    let path = file(places, key);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec(saved).map_err(std::io::Error::other)?;
    crate::install::write_private(&path, &json)
}

/// What an earlier run with this key kept, if anything.
#[must_use]
pub fn find(places: &Places, key: &str) -> Option<Saved> {
    let bytes = std::fs::read(file(places, key)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Forget the session joined with this key (it is over for this computer).
pub fn forget(places: &Places, key: &str) {
    let _ = std::fs::remove_file(file(places, key));
}

#[cfg(test)]
mod tests {
    use super::{Saved, find, forget, save};
    use crate::button::Places;
    use tandem_core::domain::SessionId;

    #[test]
    fn a_saved_session_is_found_by_its_key_only_and_forgotten() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let places = Places {
            launchers: dir.path().join("applications"),
            config: dir.path().join("config"),
            data: dir.path().join("data"),
            units: dir.path().join("units"),
            desktop: None,
        };
        let saved = Saved {
            url: "https://appliance.example/".into(),
            fingerprint: None,
            session: SessionId(7),
            token: "secret-token".into(),
            proof: None,
        };
        assert!(save(&places, "123456", &saved).is_ok());
        assert_eq!(
            find(&places, "123456").map(|s| s.session),
            Some(SessionId(7))
        );
        assert!(
            find(&places, "654321").is_none(),
            "another key finds nothing"
        );
        let written = std::fs::read_dir(places.data.join("rejoin"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>();
        assert!(
            written.iter().all(|name| !name.contains("123456")),
            "the key is not in the file name: {written:?}"
        );
        assert!(!format!("{saved:?}").contains("secret-token"));
        forget(&places, "123456");
        assert!(find(&places, "123456").is_none());
    }
}
