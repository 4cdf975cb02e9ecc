package app.tandem

import android.app.Application
import app.tandem.console.PlatformTls
import app.tandem.console.api.Console
import kotlinx.coroutines.flow.MutableStateFlow
import uniffi.tandem_ffi.initLogging

/** Process-wide: logging to logcat, the platform trust store, and the signed-in console. */
class TandemApplication : Application() {
    /** The signed-in console; the foreground service keeps the process (and it) alive. */
    val console = MutableStateFlow<Console?>(null)

    /** Whether the app is on screen (the activity started): customer messages are notified only when not. */
    val inForeground = MutableStateFlow(false)

    override fun onCreate() {
        super.onCreate()
        initLogging()
        PlatformTls.init(this)
        Notifications.createChannels(this)
    }
}
