package app.tandem.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.runtime.Composable
import androidx.compose.runtime.key
import androidx.compose.ui.Modifier
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import app.tandem.console.api.Console
import app.tandem.console.api.Gateway
import app.tandem.presenters.HomePresenter
import app.tandem.presenters.SessionPresenter
import app.tandem.presenters.SignInPresenter
import app.tandem.presenters.TwoStepPresenter
import app.tandem.presenters.TrustStore

/**
 * The whole app: sign in, then home, then a session. [signedIn] is a console kept from before (the
 * activity was recreated); [invitation] is one an App Link pointed at, shown first on the home screen.
 */
@Composable
fun TandemApp(
    gateway: Gateway,
    trust: TrustStore,
    platform: Platform,
    signedIn: Console? = null,
    onSignedIn: (Console) -> Unit = {},
    onSignedOut: () -> Unit = {},
    openSession: Long? = null,
    invitation: Long? = null,
) {
    val scope = rememberCoroutineScope()
    var console by remember { mutableStateOf(signedIn) }
    var session by remember(openSession) { mutableStateOf(openSession) }
    var twoStep by remember { mutableStateOf(false) }
    val signIn = remember { SignInPresenter(gateway, trust, scope) { console = it; onSignedIn(it) } }
    CompositionLocalProvider(LocalPlatform provides platform) {
        TandemTheme {
            val c = console
            val s = session
            // Each screen's presenters live in that screen's own scope: leaving the screen stops
            // their listeners.
            Box(Modifier.fillMaxSize().safeDrawingPadding()) {
                when {
                    c == null -> SignInScreen(signIn)
                    twoStep -> key(c) {
                        val screenScope = rememberCoroutineScope()
                        platform.BackHandler(enabled = true) { twoStep = false }
                        TwoStepScreen(remember { TwoStepPresenter(c, screenScope) }) { twoStep = false }
                    }
                    s == null -> key(c) {
                        val screenScope = rememberCoroutineScope()
                        HomeScreen(remember { HomePresenter(c, screenScope) }, invitation, onSignedOut = { console = null; twoStep = false; onSignedOut() },
                            onTwoStep = { twoStep = true }) { session = it }
                    }
                    else -> key(c, s) {
                        val screenScope = rememberCoroutineScope()
                        platform.BackHandler(enabled = true) { session = null }
                        SessionScreen(remember { SessionPresenter(c, s, screenScope) }, c) { session = null }
                    }
                }
            }
        }
    }
}
