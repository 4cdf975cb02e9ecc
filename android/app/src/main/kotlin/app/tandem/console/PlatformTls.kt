package app.tandem.console

import android.content.Context

/** Hands the app context to the Rust core so rustls-platform-verifier can use Android's trust store. */
object PlatformTls {
    init {
        System.loadLibrary("tandem_ffi")
    }

    /** Implemented in Rust: `Java_app_tandem_console_PlatformTls_init` (bindings/src/logging.rs). */
    external fun init(context: Context)
}
