//! Logs: on Android through `android_logger` (logcat, tag "tandem"); elsewhere the host decides.
/// Send the library's logs to the platform's log. Call once at start; later calls do nothing.
#[uniffi::export]
pub fn init_logging() {
    #[cfg(target_os = "android")]
    {
        android_logger::init_once(
            android_logger::Config::default()
                .with_max_level(log::LevelFilter::Info)
                .with_tag("tandem"),
        );
    }
}

/// `PlatformTls.init(context)` from the app's Kotlin (`app.tandem.console.PlatformTls`): the
/// platform verifier calls into Android's certificate checks and needs the app context before
/// the first connection that trusts the platform. Pinned connections do not need it.
#[cfg(target_os = "android")]
#[allow(unsafe_code)] // A JNI entry point must have a fixed, unmangled name.
#[unsafe(no_mangle)]
pub extern "system" fn Java_app_tandem_console_PlatformTls_init(
    mut env: jni::JNIEnv,
    _class: jni::objects::JClass,
    context: jni::objects::JObject,
) {
    if let Err(e) = rustls_platform_verifier::android::init_with_env(&mut env, context) {
        tracing::error!(error = %e, "the platform certificate verifier could not be initialised");
    }
}

/// The same entry point on every other platform, doing nothing: there the platform verifier needs
/// no app context. It exists so that the app's real `TandemApplication` starts under Robolectric
/// (android/app/src/test) against the host-built library; without it, `PlatformTls.init` would
/// throw `UnsatisfiedLinkError` at start.
#[cfg(not(target_os = "android"))]
#[allow(unsafe_code)] // A JNI entry point must have a fixed, unmangled name.
#[unsafe(no_mangle)]
pub extern "system" fn Java_app_tandem_console_PlatformTls_init(
    _env: *mut std::ffi::c_void,
    _class: *mut std::ffi::c_void,
    _context: *mut std::ffi::c_void,
) {
}
