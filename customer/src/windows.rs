//! What the client asks of Windows itself, apart from the screen: whether it runs under Wine
//! (where some Windows parts are missing or do nothing), and whether the system has a pseudo
//! console.
// Win32 is a C interface: each call is in a block that says why it is sound.
#![allow(unsafe_code)]
use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};

/// Whether `library` exports `function`.
fn exports(library: &str, function: &std::ffi::CStr) -> bool {
    let name: Vec<u16> = library.encode_utf16().chain(Some(0)).collect();
    // SAFETY: both names are NUL-terminated and outlive the calls; a module handle from
    // GetModuleHandleW needs no release.
    unsafe {
        let module = GetModuleHandleW(name.as_ptr());
        !module.is_null() && GetProcAddress(module, function.as_ptr().cast()).is_some()
    }
}

/// Whether this is Wine rather than Windows: Wine's `ntdll` exports `wine_get_version`.
#[must_use]
pub fn under_wine() -> bool {
    exports("ntdll.dll", c"wine_get_version")
}

/// Whether Windows has a pseudo console (`CreatePseudoConsole`, Windows 10 1809 and later).
#[must_use]
pub fn has_pseudo_console() -> bool {
    exports("kernel32.dll", c"CreatePseudoConsole")
}

/// Print to the console this program was started from, when its output goes nowhere: the
/// client is a windowed program (no console of its own), so run from `cmd` with `--terminal`
/// it attaches to `cmd`'s. Output already given to it (pipes, a file) stays where it goes.
pub fn attach_console() {
    use windows_sys::Win32::System::Console::{
        ATTACH_PARENT_PROCESS, AttachConsole, GetStdHandle, STD_OUTPUT_HANDLE,
    };
    // SAFETY: neither call takes pointers; AttachConsole fails harmlessly without a parent
    // console.
    unsafe {
        if GetStdHandle(STD_OUTPUT_HANDLE).is_null() {
            AttachConsole(ATTACH_PARENT_PROCESS);
        }
    }
}
