//! What a downloaded support client carries (issue 27), defined once for the appliance that
//! writes it and the client that reads it. A leaf: it imports nothing of the crate.
//!
//! - **The appliance it came from**, appended to the program as a trailer: the appliance's
//!   address and, for a self-signed appliance, its certificate's fingerprint. The same for every
//!   download from one appliance, so the page can show one SHA-256 per file. Programs ignore
//!   bytes after their image: an ELF or PE file still runs (in an Authenticode-signed program the
//!   appliance puts it inside the certificate table, so the signature stays valid; the trailer
//!   is still the file's last bytes).
//! - **The session**, as a one-time download credential in the file's name
//!   (`tandem-support-<credential>`, `.exe` on Windows), as BeyondTrust does. The first client
//!   to present it takes the customer's seat in that session; it is worth nothing after.
use serde::{Deserialize, Serialize};

/// The file name's prefix, before the credential.
pub const FILE_PREFIX: &str = "tandem-support-";

/// The mark after the trailer's length that says a trailer is there.
pub const MAGIC: &[u8; 16] = b"TANDEM-CARRIED-1";

/// The longest trailer read: an address and a fingerprint, never more.
pub const MAX_TRAILER: usize = 4096;

/// The length of a credential: 32 random bytes, base64url without padding.
pub const CREDENTIAL_CHARS: usize = 43;

/// The appliance a downloaded client belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Carried {
    /// The appliance's public address.
    pub url: String,
    /// Its certificate's SHA-256 fingerprint, when it is self-signed (pinned by the client).
    pub fingerprint: Option<String>,
}

/// Why a trailer could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CarriedError {
    /// The program carries no trailer: it was not downloaded from an appliance.
    #[error("this program was not downloaded from a Tandem appliance")]
    Missing,
    /// A trailer is there but cannot be read.
    #[error("this program's appliance details are damaged: download it again")]
    Damaged,
}

impl Carried {
    /// The trailer to append to a program: the details as JSON, their length (4 bytes, little
    /// endian), then [`MAGIC`].
    #[must_use]
    pub fn trailer(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).unwrap_or_default();
        let len = u32::try_from(out.len()).unwrap_or(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(MAGIC);
        out
    }

    /// Read the trailer from a program's last bytes (at least the last
    /// `MAX_TRAILER + 20` of them, or the whole file when it is shorter).
    ///
    /// # Errors
    /// [`CarriedError::Missing`] without the mark, [`CarriedError::Damaged`] when what follows
    /// it does not read.
    pub fn from_tail(tail: &[u8]) -> Result<Self, CarriedError> {
        let Some(rest) = tail.strip_suffix(MAGIC.as_slice()) else {
            return Err(CarriedError::Missing);
        };
        let split = rest.len().checked_sub(4).ok_or(CarriedError::Damaged)?;
        let (body, len) = rest.split_at(split);
        let len = u32::from_le_bytes(len.try_into().map_err(|_| CarriedError::Damaged)?);
        let len = usize::try_from(len).map_err(|_| CarriedError::Damaged)?;
        if len > MAX_TRAILER || len > body.len() {
            return Err(CarriedError::Damaged);
        }
        let json = body.get(body.len() - len..).ok_or(CarriedError::Damaged)?;
        serde_json::from_slice(json).map_err(|_| CarriedError::Damaged)
    }
}

/// The file name a download is served under.
#[must_use]
pub fn file_name(credential: &str, windows: bool) -> String {
    format!(
        "{FILE_PREFIX}{credential}{}",
        if windows { ".exe" } else { "" }
    )
}

/// Whether a character may be part of a credential (base64url).
fn credential_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The credential in a downloaded file's name, if it still carries a whole one. Browsers
/// rename a second download of the same name (`… (1)`, `…(1).exe`); that is tolerated, any
/// other change to the credential is not.
#[must_use]
pub fn credential_in(file_name: &str) -> Option<&str> {
    let rest = file_name.strip_prefix(FILE_PREFIX)?;
    let end = rest.find(|c| !credential_char(c)).unwrap_or(rest.len());
    let (credential, after) = rest.split_at(end);
    let after = after.trim_start();
    let tolerated = after.is_empty()
        || after.eq_ignore_ascii_case(".exe")
        || after.starts_with('(')
        || after.starts_with('.');
    (credential.len() == CREDENTIAL_CHARS && tolerated).then_some(credential)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CREDENTIAL: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234";

    #[test]
    fn a_trailer_reads_back_from_the_end_of_a_program() {
        let carried = Carried {
            url: "https://support.example.com/".into(),
            fingerprint: Some("AB:CD".into()),
        };
        let mut program = vec![0x7f, b'E', b'L', b'F', 1, 2, 3];
        program.extend(carried.trailer());
        assert_eq!(Carried::from_tail(&program), Ok(carried));
    }

    #[test]
    fn a_program_without_a_trailer_or_with_a_broken_one_is_told_apart() {
        assert_eq!(
            Carried::from_tail(b"just a program"),
            Err(CarriedError::Missing)
        );
        let mut broken = b"{\"url\":".to_vec();
        broken.extend(7u32.to_le_bytes());
        broken.extend(MAGIC);
        assert_eq!(Carried::from_tail(&broken), Err(CarriedError::Damaged));
        let mut too_long = Vec::new();
        too_long.extend(u32::MAX.to_le_bytes());
        too_long.extend(MAGIC);
        assert_eq!(Carried::from_tail(&too_long), Err(CarriedError::Damaged));
    }

    #[test]
    fn the_credential_survives_a_browser_renaming_a_second_download() {
        let name = file_name(CREDENTIAL, false);
        assert_eq!(credential_in(&name), Some(CREDENTIAL));
        assert_eq!(
            credential_in(&file_name(CREDENTIAL, true)),
            Some(CREDENTIAL)
        );
        assert_eq!(credential_in(&format!("{name} (1)")), Some(CREDENTIAL));
        assert_eq!(credential_in(&format!("{name}(2).exe")), Some(CREDENTIAL));
    }

    #[test]
    fn a_renamed_or_cut_credential_is_none() {
        assert_eq!(credential_in("tandem-customer"), None);
        assert_eq!(credential_in("tandem-support-short"), None);
        assert_eq!(credential_in(&format!("{FILE_PREFIX}{CREDENTIAL}x")), None);
        assert_eq!(
            credential_in(&format!("{FILE_PREFIX}{CREDENTIAL} copy")),
            None
        );
    }
}
