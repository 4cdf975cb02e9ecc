//! Elevation on Windows (E2, E3, E4): the client starts an elevated copy of itself, which takes
//! the session over through a named pipe (`handover`).
//!
//! - **Prompt Customer**: the copy is started with the `runas` verb, so Windows shows its own
//!   prompt (UAC): an administrator clicks Yes, anyone else types an administrator's name and
//!   password there, as E3 says. No says no, and nothing changes.
//! - **Provide Credentials**: the technician's administrator account starts a copy of the
//!   program (`CreateProcessWithLogonW`), which asks Windows for the elevated token with
//!   `runas`. With UAC on, Windows still shows its Yes/No prompt to the customer: a program that
//!   is not already elevated cannot skip it (only a system service can, which the elevated
//!   client does not install yet). Wrong credentials are refused by Windows.
//!
//! Under Wine `runas` starts the copy with the same rights and no prompt, so the hand-over is
//! tested there; UAC itself is verified only on Windows.
#![allow(unsafe_code)]
use super::ElevationError;
use super::handover::Rendezvous;
use std::path::Path;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::Threading::{
    CreateProcessWithLogonW, GetExitCodeProcess, INFINITE, LOGON_WITH_PROFILE, PROCESS_INFORMATION,
    STARTUPINFOW, WaitForSingleObject,
};
use windows_sys::Win32::UI::Shell::{
    SEE_MASK_NO_CONSOLE, SEE_MASK_NOCLOSEPROCESS, SHELLEXECUTEINFOW, ShellExecuteExW,
};

/// A started process, followed until it exits.
#[derive(Debug)]
pub struct Started(usize);

impl Started {
    /// Its exit code once it has exited; `None` when it cannot be followed.
    pub async fn exited(self) -> Option<u32> {
        let handle = self.0;
        tokio::task::spawn_blocking(move || {
            let handle = handle as HANDLE;
            let mut code = 0u32;
            // SAFETY: the handle is this process's own, open until closed here.
            unsafe {
                WaitForSingleObject(handle, INFINITE);
                let read = GetExitCodeProcess(handle, &raw mut code);
                CloseHandle(handle);
                (read != 0).then_some(code)
            }
        })
        .await
        .ok()
        .flatten()
    }
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(Some(0)).collect()
}

/// Start `exe` elevated with `arguments` (`runas`: Windows asks the customer).
///
/// # Errors
/// When Windows does not start it (the customer's No is `Refused`).
pub fn run_elevated(exe: &Path, arguments: &str) -> Result<Started, ElevationError> {
    let (verb, file, parameters) = (wide("runas"), wide(&exe.to_string_lossy()), wide(arguments));
    let mut info = SHELLEXECUTEINFOW {
        cbSize: u32::try_from(std::mem::size_of::<SHELLEXECUTEINFOW>()).unwrap_or(0),
        fMask: SEE_MASK_NOCLOSEPROCESS | SEE_MASK_NO_CONSOLE,
        lpVerb: verb.as_ptr(),
        lpFile: file.as_ptr(),
        lpParameters: parameters.as_ptr(),
        nShow: 0, // SW_HIDE: the copy shows nothing of its own; this client keeps the window
        // SAFETY: an all-zero SHELLEXECUTEINFOW is its documented empty value.
        ..unsafe { std::mem::zeroed() }
    };
    // SAFETY: `info` and the strings it points to live for the call.
    if unsafe { ShellExecuteExW(&raw mut info) } == 0 {
        let error = std::io::Error::last_os_error();
        return Err(if error.raw_os_error() == Some(1223) {
            ElevationError::Refused("the customer declined at the Windows prompt".into())
        } else {
            ElevationError::Failed(format!(
                "Windows did not start the elevated client: {error}"
            ))
        });
    }
    if info.hProcess.is_null() {
        return Err(ElevationError::Failed(
            "Windows gave no process to follow".into(),
        ));
    }
    Ok(Started(info.hProcess as usize))
}

/// Start `exe` with `arguments` as another account (`DOMAIN\user`, `user@domain` or `user`).
///
/// # Errors
/// When Windows refuses the credentials or cannot start it.
pub fn run_as(
    exe: &Path,
    arguments: &str,
    user: &str,
    password: &str,
) -> Result<Started, ElevationError> {
    let (domain, name) = match user.split_once('\\') {
        Some((domain, name)) => (Some(domain), name),
        None => (None, user),
    };
    let (name, domain, password) = (wide(name), domain.map(wide), wide(password));
    let application = wide(&exe.to_string_lossy());
    let mut command_line = wide(&format!("\"{}\" {arguments}", exe.to_string_lossy()));
    // SAFETY: zeroed STARTUPINFOW and PROCESS_INFORMATION are their empty values.
    let mut startup: STARTUPINFOW = unsafe { std::mem::zeroed() };
    startup.cb = u32::try_from(std::mem::size_of::<STARTUPINFOW>()).unwrap_or(0);
    // SAFETY: as above.
    let mut process: PROCESS_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: every string is NUL-terminated and lives for the call; the command line is
    // writable, as the call requires.
    let started = unsafe {
        CreateProcessWithLogonW(
            name.as_ptr(),
            domain.as_ref().map_or(std::ptr::null(), |d| d.as_ptr()),
            password.as_ptr(),
            LOGON_WITH_PROFILE,
            application.as_ptr(),
            command_line.as_mut_ptr(),
            0,
            std::ptr::null(),
            std::ptr::null(),
            &raw const startup,
            &raw mut process,
        )
    };
    if started == 0 {
        let error = std::io::Error::last_os_error();
        // ERROR_LOGON_FAILURE, ERROR_ACCOUNT_RESTRICTION, ERROR_ACCOUNT_DISABLED...
        return Err(
            if matches!(error.raw_os_error(), Some(1326 | 1327 | 1331 | 1909)) {
                ElevationError::Refused(format!("Windows refused the credentials: {error}"))
            } else {
                ElevationError::Failed(format!(
                    "Windows did not start the client as that user: {error}"
                ))
            },
        );
    }
    // SAFETY: the thread handle is ours to close; the process handle is followed.
    unsafe { CloseHandle(process.hThread) };
    Ok(Started(process.hProcess as usize))
}

/// Restart elevated and hand the session over through `rendezvous`; `credentials`: the
/// technician's (Provide Credentials), or `None` (Prompt Customer).
pub(super) fn launch(
    exe: &Path,
    rendezvous: &Rendezvous,
    credentials: Option<(&str, &str)>,
) -> Result<Started, ElevationError> {
    let handover = format!("--handover {}", rendezvous.argument());
    match credentials {
        None => run_elevated(exe, &handover),
        // The copy started as the technician's account asks for the elevated token itself.
        Some((user, password)) => run_as(
            exe,
            &format!("--elevate-then {}", rendezvous.argument()),
            user,
            password,
        ),
    }
}

/// A copy of the program where another account can run it (`%ProgramData%\Tandem\elevation`),
/// removed when dropped.
#[derive(Debug)]
pub struct Staged {
    /// The copy.
    pub program: std::path::PathBuf,
    dir: std::path::PathBuf,
}

impl Staged {
    /// Copy `exe` there.
    ///
    /// # Errors
    /// When it cannot be copied.
    pub fn copy(exe: &Path) -> Result<Self, ElevationError> {
        let failed = |e: std::io::Error| {
            ElevationError::Failed(format!("the program could not be staged: {e}"))
        };
        let shared = std::env::var_os("ProgramData")
            .map_or_else(|| std::path::PathBuf::from(r"C:\ProgramData"), Into::into);
        let dir = shared
            .join("Tandem")
            .join("elevation")
            .join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let program = dir.join("tandem-customer.exe");
        std::fs::copy(exe, &program).map_err(failed)?;
        Ok(Self { program, dir })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // The elevated copy may take a moment to end and release its file.
        crate::install::remove_when_released(&self.dir);
    }
}
