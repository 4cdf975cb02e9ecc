//! A support client downloaded from a customer's page (issue 27): the appliance it came from is
//! appended to the program, and the session's one-time credential is in its file name
//! (`tandem_core::download`). Started with a double-click, with nothing to type, it reads both
//! and joins that session as the full client.
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use tandem_core::download::{Carried, CarriedError, MAGIC, MAX_TRAILER, credential_in};

/// Where the program was started from before it installed itself (`crate::install::relocate`
/// sets it for the installed copy, whose own name no longer carries the credential).
pub const STARTED_FROM: &str = "TANDEM_DOWNLOADED_FROM";

/// What a downloaded program carries.
#[derive(Clone)]
pub struct Downloaded {
    /// The appliance.
    pub carried: Carried,
    /// The one-time credential from its file name.
    pub credential: String,
}

tandem_core::debug_without_secrets!(Downloaded { carried });

/// The file this program was downloaded as.
fn started_from() -> Option<PathBuf> {
    std::env::var_os(STARTED_FROM)
        .map(PathBuf::from)
        .or_else(|| std::env::current_exe().ok())
}

/// The appliance appended to a program, read from its last bytes.
///
/// # Errors
/// `Missing` for a program that carries none, `Damaged` for one that cannot be read.
pub fn carried(path: &Path) -> Result<Carried, CarriedError> {
    let mut file = std::fs::File::open(path).map_err(|_| CarriedError::Missing)?;
    let len = file.metadata().map_err(|_| CarriedError::Missing)?.len();
    let want = u64::try_from(MAX_TRAILER + 4 + MAGIC.len()).unwrap_or(u64::MAX);
    let start = len.saturating_sub(want);
    file.seek(SeekFrom::Start(start))
        .map_err(|_| CarriedError::Damaged)?;
    let mut tail = Vec::new();
    file.take(want)
        .read_to_end(&mut tail)
        .map_err(|_| CarriedError::Damaged)?;
    Carried::from_tail(&tail)
}

/// What this program carries: `Ok(None)` for one that was not downloaded from an appliance (a
/// build of its own, a support button's copy).
///
/// # Errors
/// A message for the customer: the file was renamed, or is damaged.
pub fn detect() -> Result<Option<Downloaded>, String> {
    let Some(path) = started_from() else {
        return Ok(None);
    };
    let carried = match carried(&path) {
        Ok(carried) => carried,
        Err(CarriedError::Missing) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let credential = credential_in(name).ok_or_else(|| {
        format!(
            "This file was renamed ({name}): the part of its name after \"tandem-support-\" is what joins your session. Download it again from your session's page."
        )
    })?;
    Ok(Some(Downloaded {
        carried,
        credential: credential.to_owned(),
    }))
}
