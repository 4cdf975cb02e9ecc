//! `uniffi-bindgen generate <libtandem_ffi.so> --language kotlin --out-dir …`: generates the
//! Kotlin bindings from the built library (library mode). Run at build time; never committed.
fn main() {
    uniffi::uniffi_bindgen_main();
}
