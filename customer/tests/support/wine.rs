//! Windows programs under Wine for the Windows client's tests: the client as
//! `scripts/windows-check` built it, and the Wine prefix `scripts/wine/prefix` makes.
use std::path::{Path, PathBuf};

/// How long a Windows program may take to start under Wine (the first start loads Wine).
pub const WINE_START: std::time::Duration = std::time::Duration::from_secs(90);

pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A program `scripts/windows-check` built for Windows.
pub fn windows_build(path: &str) -> PathBuf {
    let file = repository()
        .join("target/x86_64-pc-windows-gnu/debug")
        .join(path);
    assert!(
        file.exists(),
        "{} is missing: run scripts/windows-check first",
        file.display()
    );
    file
}

/// The Wine prefix, stopped (every Windows process in it) when dropped.
pub struct Wine {
    pub prefix: PathBuf,
    /// One test at a time in the prefix: each clears the client's files and stops every Windows
    /// process when it ends.
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

/// Whose turn it is in the prefix.
static TURN: std::sync::OnceLock<std::sync::Arc<tokio::sync::Mutex<()>>> =
    std::sync::OnceLock::new();

impl Wine {
    pub async fn start() -> Self {
        let turn = TURN
            .get_or_init(Default::default)
            .clone()
            .lock_owned()
            .await;
        let out = std::process::Command::new(repository().join("scripts/wine/prefix"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "no Wine prefix: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let prefix = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
        // What an earlier run (perhaps a failed one) left of the client in this prefix.
        for user in std::fs::read_dir(prefix.join("drive_c/users"))
            .unwrap()
            .flatten()
        {
            for dir in ["AppData/Local/Tandem", "AppData/Roaming/Tandem"] {
                let _ = std::fs::remove_dir_all(user.path().join(dir));
            }
        }
        let _ = std::process::Command::new("wine")
            .args([
                "reg",
                "delete",
                r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
            ])
            .args(["/v", "TandemJumpClient", "/f"])
            .env("WINEPREFIX", &prefix)
            .env("WINEDEBUG", "-all")
            .output();
        Self {
            prefix,
            _turn: turn,
        }
    }

    /// `program` under Wine on `display`.
    pub fn run(&self, display: &str, program: &Path) -> tokio::process::Command {
        let mut command = tokio::process::Command::new("wine");
        command
            .arg(program)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // A crash ends the program instead of waiting in Wine's debugger.
            .env("WINEDLLOVERRIDES", "winedbg.exe=d;mscoree,mshtml=")
            .env("DISPLAY", display)
            .kill_on_drop(true);
        command
    }

    /// The Windows user's profile directory in this prefix (`C:\users\<user>`).
    pub fn user_dir(&self) -> PathBuf {
        std::fs::read_dir(self.prefix.join("drive_c/users"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_name().is_some_and(|n| n != "Public"))
            .expect("a user in the prefix")
    }

    /// The client's installations of sessions in this prefix (C1: none after End).
    pub fn installations(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.prefix.join("drive_c/users"))
            .unwrap()
            .flatten()
            .filter_map(|user| {
                std::fs::read_dir(user.path().join("AppData/Local/Tandem/customer-client")).ok()
            })
            .flat_map(|dir| dir.flatten().map(|e| e.path()))
            .collect()
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        let _ = std::process::Command::new("wineserver")
            .arg("-k")
            .env("WINEPREFIX", &self.prefix)
            .status();
    }
}

/// The downloads directory an operator fills: this build's client for Windows.
pub fn packages() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        windows_build("tandem-customer.exe"),
        dir.path().join("tandem-customer-windows-x86_64.exe"),
    )
    .unwrap();
    dir
}
