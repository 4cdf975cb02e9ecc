//! Rebuild when a migration file changes (`sqlx::migrate!` embeds them at build time), and build
//! the external user's web console's screen viewer (`web-console/`, issue 16) for WebAssembly,
//! which the appliance embeds and serves: the browser decodes the screen with the same Rust code
//! as the Android console, and nothing is downloaded at run time.
//!
//! The viewer is built by a second cargo in a target directory of its own (`target/web-console`),
//! so it never waits on the build that runs this script. rustup installs the
//! `wasm32-unknown-unknown` target that `rust-toolchain.toml` names.
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest.parent().unwrap_or(&manifest).to_path_buf();
    // What the viewer is built from: its crate, the screen format and viewer of tandem-core,
    // and the versions of everything.
    for watched in [
        "web-console/src",
        "web-console/Cargo.toml",
        "rust-core/src/screen.rs",
        "rust-core/src/screen",
        "rust-core/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
        "rust-toolchain.toml",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(why) = build_viewer(&workspace, &out.join("viewer.wasm")) {
        panic!(
            "the web console's screen viewer (web-console/) did not build for {TARGET}: {why}\n\
             With rustup, `rustup target add {TARGET}` installs what it needs."
        );
    }
}

/// The target's standard library, installed with rustup if it is missing: rustup installs what
/// `rust-toolchain.toml` names with a new toolchain, but not for one installed before.
fn ensure_target() -> Result<(), String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("rustc --print sysroot: {e}"))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir()
    {
        return Ok(());
    }
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .map_err(|e| {
            format!("the {TARGET} standard library is missing and rustup is not at hand: {e}")
        })?;
    if !added.success() {
        return Err(format!("rustup target add {TARGET} said {added}"));
    }
    println!(
        "cargo:warning=installed the {TARGET} standard library with rustup, for the web console's screen viewer"
    );
    Ok(())
}

fn build_viewer(workspace: &Path, to: &Path) -> Result<(), String> {
    ensure_target()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from)
        .join("web-console");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(workspace)
        .args([
            "build",
            "--locked",
            "-p",
            "tandem-web-console",
            "--profile",
            "wasm",
        ])
        .args(["--target", TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    // What the outer build passes to its own compilations is not for this one: flags, wrappers
    // (clippy's driver), another target's settings.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_ENCODED_RUSTFLAGS")
            || name == "RUSTFLAGS"
            || name == "RUSTC_WRAPPER"
            || name == "RUSTC_WORKSPACE_WRAPPER"
            || name == "CARGO_BUILD_TARGET"
            || name == "CARGO_TARGET_DIR"
            || name.starts_with("CARGO_CFG_")
            || name.starts_with("CARGO_FEATURE_")
        {
            build.env_remove(name.as_ref());
        }
    }
    let status = build.status().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cargo said {status}"));
    }
    let built = target_dir
        .join(TARGET)
        .join("wasm")
        .join("tandem_web_console.wasm");
    std::fs::copy(&built, to).map_err(|e| format!("{}: {e}", built.display()))?;
    Ok(())
}
