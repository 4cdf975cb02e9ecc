package app.tandem

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.runtime.mutableStateOf
import androidx.core.content.ContextCompat
import app.tandem.console.impl.BindingsGateway
import app.tandem.presenters.invitationFromLink
import app.tandem.ui.AndroidPlatform
import app.tandem.ui.TandemApp

/** The one activity: the Compose app, opened by the launcher, a notification, or an invitation link. */
class MainActivity : ComponentActivity() {
    /** The invitation an App Link pointed at, from the intent that started or resumed the activity. */
    private val linked = mutableStateOf<Long?>(null)

    /** The session a customer-message notification pointed at. */
    private val session = mutableStateOf<Long?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        val app = application as TandemApplication
        if (Build.VERSION.SDK_INT >= 33) requestPermissions(arrayOf(Manifest.permission.POST_NOTIFICATIONS), 1)
        // An App Link to an invitation lands on the home screen, first in the list, to be answered.
        linked.value = intent?.dataString?.let { invitationFromLink(it) }
        session.value = intent?.getLongExtra(OPEN_SESSION, 0L)?.takeIf { it > 0 }
        setContent {
            TandemApp(
                BindingsGateway(), PrefsTrustStore(this), AndroidPlatform(this), signedIn = app.console.value, invitation = linked.value, openSession = session.value,
                onSignedIn = { console ->
                    app.console.value = console
                    ContextCompat.startForegroundService(this, Intent(this, SessionService::class.java))
                },
                // Signed out: nothing is left to keep alive in the background.
                onSignedOut = {
                    app.console.value = null
                    stopService(Intent(this, SessionService::class.java))
                },
            )
        }
    }

    /** A link tapped while the app runs (singleTask) arrives here rather than in onCreate. */
    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        linked.value = intent.dataString?.let { invitationFromLink(it) }
        session.value = intent.getLongExtra(OPEN_SESSION, 0L).takeIf { it > 0 }
    }

    override fun onStart() {
        super.onStart()
        (application as TandemApplication).inForeground.value = true
    }

    override fun onStop() {
        (application as TandemApplication).inForeground.value = false
        super.onStop()
    }

    companion object {
        /** The extra of a customer-message notification's intent: the session to open. */
        const val OPEN_SESSION = "app.tandem.OPEN_SESSION"
    }
}
