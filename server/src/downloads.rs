//! The support client's packages the appliance serves (issue 27): what its operator built and
//! put in the downloads directory (`--downloads`, by default `<data dir>/downloads`; see the
//! README's "Customer client packages"), one file per platform, each served with this
//! appliance's address appended (`tandem_core::download::Carried`) and its SHA-256 shown on the
//! customer's page. Read once at start; a platform without a file is named as missing.
use sha2::{Digest, Sha256};
use std::path::Path;
use tandem_core::download::Carried;

/// A platform the support client is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    /// Its name in addresses and file names (`linux-x86_64`).
    pub id: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// Whether its programs end in `.exe`.
    pub windows: bool,
}

/// Every platform the support client can be built for, in the order the page lists them.
pub const TARGETS: [Target; 5] = [
    Target {
        id: "windows-x86_64",
        label: "Windows (64-bit)",
        windows: true,
    },
    Target {
        id: "macos-aarch64",
        label: "macOS (Apple silicon)",
        windows: false,
    },
    Target {
        id: "macos-x86_64",
        label: "macOS (Intel)",
        windows: false,
    },
    Target {
        id: "linux-x86_64",
        label: "Linux (x86_64)",
        windows: false,
    },
    Target {
        id: "linux-aarch64",
        label: "Linux (ARM 64-bit)",
        windows: false,
    },
];

impl Target {
    /// The file the operator puts in the downloads directory for this platform.
    #[must_use]
    pub fn source_name(&self) -> String {
        format!(
            "tandem-customer-{}{}",
            self.id,
            if self.windows { ".exe" } else { "" }
        )
    }
}

/// One platform's package, ready to serve.
#[derive(Debug, Clone)]
pub struct Package {
    /// Its platform.
    pub target: Target,
    /// The program with this appliance's trailer.
    pub bytes: axum::body::Bytes,
    /// The SHA-256 of exactly those bytes, hex.
    pub sha256: String,
    /// The file it was read from.
    pub from: std::path::PathBuf,
}

/// The packages this appliance serves.
#[derive(Debug, Clone, Default)]
pub struct Packages {
    /// The platforms that have one, in [`TARGETS`] order.
    pub present: Vec<Package>,
}

/// The largest program read: a support client is a few MiB; this bounds memory.
const MAX_PACKAGE_BYTES: u64 = 200 * 1024 * 1024;

impl Packages {
    /// Read what the downloads directory holds. A missing directory is no package at all; an
    /// unreadable file is skipped and said in the log.
    #[must_use]
    pub fn load(dir: &Path, beside: Option<&Path>, carried: &Carried) -> Self {
        let trailer = carried.trailer();
        let mut present = Vec::new();
        for target in TARGETS {
            let mut path = dir.join(target.source_name());
            // This computer's own build of the client, where the operator put none.
            if let Some(beside) = beside
                && Some(target.id) == host_target()
                && !path.exists()
            {
                path = beside.join(format!("tandem-customer{}", std::env::consts::EXE_SUFFIX));
            }
            let program = match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_PACKAGE_BYTES => {
                    tracing::warn!(path = %path.display(), "support client package too large; not served");
                    continue;
                }
                Ok(_) => std::fs::read(&path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => Err(e),
            };
            match program {
                Ok(mut program) => {
                    crate::signed_pe::carry(&mut program, &trailer);
                    let sha256 = hex(&Sha256::digest(&program));
                    present.push(Package {
                        target,
                        bytes: program.into(),
                        sha256,
                        from: path,
                    });
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "support client package unreadable; not served");
                }
            }
        }
        Self { present }
    }

    /// The package for a platform, if this appliance has one.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Package> {
        self.present.iter().find(|p| p.target.id == id)
    }

    /// The platforms without a package.
    #[must_use]
    pub fn missing(&self) -> Vec<Target> {
        TARGETS
            .into_iter()
            .filter(|t| self.get(t.id).is_none())
            .collect()
    }
}

/// The platform this appliance runs on, as a download's target.
fn host_target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("linux-x86_64"),
        ("linux", "aarch64") => Some("linux-aarch64"),
        ("windows", "x86_64") => Some("windows-x86_64"),
        ("macos", "aarch64") => Some("macos-aarch64"),
        ("macos", "x86_64") => Some("macos-x86_64"),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_package_is_served_with_the_appliance_appended_and_its_hash_is_of_what_is_served() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tandem-customer-linux-x86_64"),
            b"\x7fELF...",
        )
        .unwrap();
        let carried = Carried {
            url: "https://support.example.com/".into(),
            fingerprint: None,
        };
        let packages = Packages::load(dir.path(), None, &carried);
        let linux = packages.get("linux-x86_64").unwrap();
        assert!(linux.bytes.starts_with(b"\x7fELF..."));
        assert_eq!(Carried::from_tail(&linux.bytes), Ok(carried));
        assert_eq!(linux.sha256, hex(&Sha256::digest(&linux.bytes)));
        assert_eq!(packages.missing().len(), TARGETS.len() - 1);
        assert!(packages.get("windows-x86_64").is_none());
    }
}
