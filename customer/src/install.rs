//! What the customer client installs of itself, and removes at End (C1). A client started from
//! anywhere else (a download) copies itself into its own directory,
//! `~/.local/share/tandem/customer-client/<pid>`, and runs from there; End deletes that
//! directory. Support buttons and jump clients keep copies of their own elsewhere, so End never
//! takes them along (B1, J1).
use crate::button::Places;
use std::path::{Path, PathBuf};

/// The program's file name inside each installation.
const PROGRAM: &str = "tandem-customer";

/// Put a copy of `exe` into `dir` (on Unix a hard link where the file system allows it) and return
/// its path. An existing copy is replaced.
///
/// # Errors
/// When the directory or the copy cannot be made.
pub fn place_program(exe: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let target = dir.join(format!("{PROGRAM}{}", std::env::consts::EXE_SUFFIX));
    if target == exe {
        return Ok(target);
    }
    let _ = std::fs::remove_file(&target);
    // Not on Windows: a hard link is the same file as the running download, which Windows
    // will not delete while that runs, so End could not remove the copy.
    if cfg!(windows) || std::fs::hard_link(exe, &target).is_err() {
        std::fs::copy(exe, &target)?;
    }
    Ok(target)
}

/// Write a file only its owner can read (credentials, session tokens).
///
/// # Errors
/// When it cannot be written.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = open_private(path)?;
    file.write_all(bytes)
}

/// Open a file for writing that only its owner can read: created with mode 600, or, when it
/// existed already (perhaps with looser permissions), truncated and set to 600 before anything
/// is written to it. A symbolic link in its place is refused.
///
/// # Errors
/// When it cannot be opened.
#[cfg(unix)]
pub fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Open a file for writing that only its owner can read: on Windows, a file in the user's
/// profile (where Tandem keeps its files) inherits an access list of that user, the system and
/// administrators. A symbolic link in its place is refused.
///
/// # Errors
/// When it cannot be opened, or a link is in its place.
#[cfg(not(unix))]
pub fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other(
            "a link is in the place of a private file",
        ));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// This session's installation directory.
#[must_use]
pub fn own_dir(places: &Places) -> PathBuf {
    places
        .data
        .join("customer-client")
        .join(std::process::id().to_string())
}

/// Whether this program already runs from one of Tandem's installations.
fn installed(places: &Places, exe: &Path) -> bool {
    exe.starts_with(&places.data)
}

/// Remove the installations of sessions' clients that no longer run: a run killed outright
/// (or a machine that lost power) could not remove its own. One whose process still runs from
/// it stays; so does one whose process cannot be inspected (another user's, say).
pub fn sweep(places: &Places) {
    #[cfg(not(unix))]
    sweep_removed();
    let root = places.data.join("customer-client");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() {
            continue;
        }
        let abandoned = abandoned(pid, &dir);
        if abandoned {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => tracing::info!(dir = %dir.display(), "removed an abandoned installation"),
                Err(e) => {
                    tracing::warn!(error = %e, dir = %dir.display(), "could not remove an abandoned installation")
                }
            }
        }
    }
}

/// Whether the installation in `dir` of the client with process id `pid` no longer runs.
#[cfg(unix)]
fn abandoned(pid: u32, dir: &Path) -> bool {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    if proc.exists() {
        // A pid used again by another program: its executable is somewhere else.
        std::fs::read_link(proc.join("exe")).is_ok_and(|exe| !exe.starts_with(dir))
    } else {
        true
    }
}

/// Whether the installation in `dir` no longer runs: on Windows a running program's file
/// cannot be deleted, so removing the directory fails while it runs, and only then.
#[cfg(not(unix))]
fn abandoned(_pid: u32, dir: &Path) -> bool {
    let program = dir.join(format!("{PROGRAM}{}", std::env::consts::EXE_SUFFIX));
    // Deleting the program is the test: it fails while the program runs.
    match std::fs::remove_file(program) {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Install this program for the session and run it from there (the same process, so the same
/// directory). Returns only if the program already runs from an installation, or if it could
/// not install itself (it then runs from where it is, and says why).
pub fn relocate(places: &Places) {
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    if installed(places, &exe) {
        return;
    }
    sweep(places);
    let placed = match place_program(&exe, &own_dir(places)) {
        Ok(placed) => placed,
        Err(e) => {
            tracing::warn!(error = %e, "running without installing: the customer client could not copy itself");
            return;
        }
    };
    // The installed copy's name no longer carries a download's credential: it is told where
    // it was started from (a path, not the credential: the environment is this user's only).
    let started_from =
        std::env::var_os(crate::downloaded::STARTED_FROM).unwrap_or_else(|| exe.clone().into());
    let mut installed = std::process::Command::new(&placed);
    installed
        .args(std::env::args_os().skip(1))
        .env(crate::downloaded::STARTED_FROM, started_from);
    run_installed(places, &mut installed);
}

/// Become the installed copy: the same process, so the same directory, and End removes it.
#[cfg(unix)]
fn run_installed(places: &Places, installed: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    let failed = installed.exec();
    tracing::warn!(error = %failed, "running without installing: the installed copy did not start");
    let _ = std::fs::remove_dir_all(own_dir(places));
}

/// Run the installed copy and wait for it: Windows cannot replace a process's program, and a
/// running program's file cannot be deleted, so this process removes the installation (C1)
/// once the copy has ended, and exits as it did.
#[cfg(not(unix))]
fn run_installed(places: &Places, installed: &mut std::process::Command) {
    match installed.status() {
        Ok(status) => {
            remove_when_released(&own_dir(places));
            std::process::exit(status.code().unwrap_or(1));
        }
        Err(e) => {
            tracing::warn!(error = %e, "running without installing: the installed copy did not start");
            let _ = std::fs::remove_dir_all(own_dir(places));
        }
    }
}

/// Remove a directory whose program has just ended: Windows (and Wine) may hold its file a
/// moment longer (as may a virus scanner), so removal is tried again for up to five seconds.
#[cfg(not(unix))]
pub(crate) fn remove_when_released(dir: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) if std::time::Instant::now() >= deadline => {
                tracing::warn!(error = %e, dir = %dir.display(), "the installation could not be removed");
                return;
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// Remove a directory that may hold the running program (the jump client's agent uninstalling
/// itself). Unix deletes a running program's file; Windows does not, but lets it be moved: each
/// file is moved into the temporary directory (`tandem-removed-*`) and deleted there when it
/// can be (else by the next client's sweep), and the directory goes now.
///
/// # Errors
/// When the directory exists but cannot be removed.
pub fn remove_running(dir: &Path) -> std::io::Result<()> {
    // Each file is moved out first: a file still open (the agent's log) is only marked for
    // deletion by a delete, and would keep the directory from going until it is closed.
    #[cfg(not(unix))]
    if let Ok(entries) = std::fs::read_dir(dir) {
        for (n, entry) in entries.flatten().enumerate() {
            let aside = std::env::temp_dir().join(format!(
                "{REMOVED}{}-{n}-{}",
                std::process::id(),
                entry.file_name().to_string_lossy()
            ));
            std::fs::rename(entry.path(), &aside)?;
            let _ = std::fs::remove_file(aside);
        }
    }
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The prefix of files moved aside by [`remove_running`].
#[cfg(not(unix))]
const REMOVED: &str = "tandem-removed-";

/// Delete what [`remove_running`] moved aside and is no longer in use.
#[cfg(not(unix))]
fn sweep_removed() {
    for entry in std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(REMOVED) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Uninstall this session's customer client (C1): its directory, with the program in it. A
/// support button's or jump client's copy is elsewhere and stays.
///
/// # Errors
/// When the directory exists but cannot be removed.
pub fn uninstall(places: &Places) -> std::io::Result<bool> {
    let dir = own_dir(places);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::write_private;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_private_file_is_made_private_even_if_it_existed_and_never_through_a_link() {
        let dir = std::env::temp_dir().join(format!("tandem-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("secret.json");
        std::fs::write(&file, b"old").unwrap_or_default();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap_or_default();
        assert!(write_private(&file, b"new").is_ok());
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
        let link = dir.join("link.json");
        let target = dir.join("elsewhere.json");
        let _ = std::os::unix::fs::symlink(&target, &link);
        assert!(
            write_private(&link, b"x").is_err(),
            "a symbolic link is refused"
        );
        assert!(!target.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
