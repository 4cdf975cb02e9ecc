//! The Support Button (B1) on the customer's computer: a desktop launcher and its configuration,
//! installed when a technician deploys one and deleted when it is removed. The launcher starts a
//! session straight into the button's queue; after its expiration the appliance refuses it.
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tandem_core::domain::{SupportButton, SupportButtonId, Timestamp};

/// What the launcher needs to start a session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ButtonConfig {
    /// The appliance.
    pub url: String,
    /// Its pinned certificate fingerprint, if it is self-signed.
    pub fingerprint: Option<String>,
    /// The button.
    pub button: SupportButtonId,
    /// Its name, shown on the launcher.
    pub name: String,
    /// After this the button starts no sessions (the appliance decides; shown here too).
    pub expires_at: Timestamp,
    /// The secret every press presents (B1): the appliance handed it to this computer's client
    /// once; a press without it is refused as a press of a button that does not exist.
    pub secret: String,
}

/// Where this user's launchers and configuration live (the XDG base directories).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Places {
    /// Desktop launchers (`~/.local/share/applications`).
    pub launchers: PathBuf,
    /// Configuration (`~/.config/tandem`).
    pub config: PathBuf,
    /// What Tandem installs for this user (`~/.local/share/tandem`): the customer client of a
    /// session, the support button's and the jump client's own copies of this program.
    pub data: PathBuf,
    /// systemd user units (`~/.config/systemd/user`).
    pub units: PathBuf,
    /// The desktop, where Windows users look for a shortcut too; `None` on Linux, where
    /// launchers are found in the applications menu.
    #[serde(default)]
    pub desktop: Option<PathBuf>,
}

impl Places {
    /// The current user's places: on Windows, under `%LOCALAPPDATA%\Tandem` and
    /// `%APPDATA%\Tandem`, launchers in the Start menu's programs.
    #[cfg(windows)]
    #[must_use]
    pub fn for_user() -> Option<Self> {
        let local = PathBuf::from(std::env::var_os("LOCALAPPDATA")?);
        let roaming = PathBuf::from(std::env::var_os("APPDATA")?);
        Some(Self {
            launchers: roaming.join(r"Microsoft\Windows\Start Menu\Programs"),
            config: roaming.join("Tandem"),
            data: local.join("Tandem"),
            units: local.join(r"Tandem\units"),
            desktop: std::env::var_os("USERPROFILE")
                .map(|home| PathBuf::from(home).join("Desktop")),
        })
    }

    /// The current user's places, from `XDG_DATA_HOME`, `XDG_CONFIG_HOME` or `HOME`.
    #[cfg(not(windows))]
    #[must_use]
    pub fn for_user() -> Option<Self> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".local/share")))?;
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")))?;
        Some(Self {
            launchers: data.join("applications"),
            config: config.join("tandem"),
            data: data.join("tandem"),
            units: config.join("systemd/user"),
            desktop: None,
        })
    }

    /// Where a button's launchers go: a desktop entry in the applications menu on Linux; on
    /// Windows a shortcut named after the button in the Start menu and on the desktop.
    fn launchers_of(&self, button: SupportButtonId, name: &str) -> Vec<PathBuf> {
        if cfg!(windows) {
            let file = format!("{}.lnk", file_name(name, button));
            std::iter::once(&self.launchers)
                .chain(self.desktop.as_ref())
                .map(|dir| dir.join(&file))
                .collect()
        } else {
            vec![
                self.launchers
                    .join(format!("tandem-support-{}.desktop", button.0)),
            ]
        }
    }

    /// Where a button's configuration is kept.
    #[must_use]
    pub fn config_file(&self, button: SupportButtonId) -> PathBuf {
        self.config
            .join(format!("support-button-{}.json", button.0))
    }
}

/// A button's name as a Windows file name: characters Windows forbids, and control
/// characters, become `_`; at most 60 characters; a name with nothing left is the button's
/// number.
fn file_name(name: &str, button: SupportButtonId) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    let cleaned = cleaned.trim().trim_end_matches('.').trim();
    if cleaned.is_empty() {
        format!("Tandem support {}", button.0)
    } else {
        cleaned.to_owned()
    }
}

/// Desktop entry values must not break the line-based format.
#[cfg(not(windows))]
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

/// Install the launcher and its configuration for a deployed button.
///
/// # Errors
/// When the files cannot be written.
pub fn install(
    places: &Places,
    exe: &Path,
    url: &str,
    fingerprint: Option<&str>,
    button: &SupportButton,
    secret: &str,
) -> std::io::Result<()> {
    std::fs::create_dir_all(&places.launchers)?;
    std::fs::create_dir_all(&places.config)?;
    // The launcher runs a copy of its own: the session's customer client is gone after End (C1),
    // the button stays until it is removed.
    let exe = crate::install::place_program(exe, &places.data.join("support-button"))?;
    let config = ButtonConfig {
        url: url.to_owned(),
        fingerprint: fingerprint.map(str::to_owned),
        button: button.id,
        name: button.name.clone(),
        expires_at: button.expires_at,
        secret: secret.to_owned(),
    };
    let config_file = places.config_file(button.id);
    // It holds the button's secret: readable by this user only.
    crate::install::write_private(
        &config_file,
        &serde_json::to_vec_pretty(&config).map_err(std::io::Error::other)?,
    )?;
    write_launchers(places, button, &exe, &config_file)
}

/// The desktop entry that runs `exe` with the button's configuration.
#[cfg(not(windows))]
fn write_launchers(
    places: &Places,
    button: &SupportButton,
    exe: &Path,
    config_file: &Path,
) -> std::io::Result<()> {
    let entry = format!(
        "[Desktop Entry]\nType=Application\nName={}\nComment=Start a remote support session\nExec=\"{}\" --button-config \"{}\"\nTerminal=true\nIcon=help-browser\nCategories=Utility;\n",
        one_line(&button.name),
        exe.display(),
        config_file.display()
    );
    for launcher in places.launchers_of(button.id, &button.name) {
        std::fs::write(launcher, &entry)?;
    }
    Ok(())
}

/// The shortcuts (`.lnk`, written by mslnk: no COM needed) that run `exe` with the button's
/// configuration, in the Start menu and on the desktop; the program opens its window.
#[cfg(windows)]
fn write_launchers(
    places: &Places,
    button: &SupportButton,
    exe: &Path,
    config_file: &Path,
) -> std::io::Result<()> {
    let mut link = mslnk::ShellLink::new(exe).map_err(|e| std::io::Error::other(e.to_string()))?;
    link.set_arguments(Some(format!(
        "--button-config \"{}\"",
        config_file.display()
    )));
    link.set_name(Some("Start a remote support session".into()));
    for launcher in places.launchers_of(button.id, &button.name) {
        if let Some(dir) = launcher.parent() {
            std::fs::create_dir_all(dir)?;
        }
        link.create_lnk(&launcher)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// Whether a button's configuration is installed already.
#[must_use]
pub fn installed(places: &Places, button: SupportButtonId) -> bool {
    places.config_file(button).exists()
}

/// Delete a removed button's launcher and configuration, and the program copy the buttons run
/// once no button is left (issue 26: the copy stayed behind).
///
/// # Errors
/// When a file exists but cannot be deleted.
pub fn uninstall(places: &Places, button: SupportButtonId) -> std::io::Result<()> {
    // The launchers are named after the button, which its configuration holds.
    let name = read(&places.config_file(button))
        .map(|c| c.name)
        .unwrap_or_default();
    let files = places
        .launchers_of(button, &name)
        .into_iter()
        .chain(Some(places.config_file(button)));
    for file in files {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let others = std::fs::read_dir(&places.config)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("support-button-") && name.ends_with(".json")
        });
    if !others {
        match std::fs::remove_dir_all(places.data.join("support-button")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Read a button's configuration (the launcher's argument).
///
/// # Errors
/// When the file is missing or malformed.
pub fn read(path: &Path) -> std::io::Result<ButtonConfig> {
    serde_json::from_slice(&std::fs::read(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

tandem_core::debug_without_secrets!(ButtonConfig {
    url,
    button,
    name,
    expires_at
});

#[cfg(test)]
mod tests {
    use super::file_name;
    use tandem_core::domain::SupportButtonId;

    #[test]
    fn a_button_s_name_becomes_a_windows_file_name() {
        let id = SupportButtonId(7);
        assert_eq!(file_name("Call Alice", id), "Call Alice");
        assert_eq!(file_name("IT: help/desk?", id), "IT_ help_desk_");
        assert_eq!(
            file_name("..\\..\\evil", id),
            ".._.._evil",
            "no path separators"
        );
        assert_eq!(file_name("  \u{7}  ", id), "_", "control characters");
        assert_eq!(file_name("   ", id), "Tandem support 7");
        assert_eq!(file_name("trailing dots...", id), "trailing dots");
        assert_eq!(file_name(&"x".repeat(200), id).chars().count(), 60);
    }
}
