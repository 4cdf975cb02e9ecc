package app.tandem.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.junit4.v2.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import app.tandem.console.api.Invitation
import app.tandem.console.api.Invitee
import app.tandem.console.api.SessionCommand
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.FakeGateway
import app.tandem.presenters.HomePresenter
import app.tandem.presenters.MemoryTrust
import java.io.File
import javax.imageio.ImageIO
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/** Sign-in with trust on first use, then the home screen's queues and invitations, as Compose UI tests. */
class SignInAndHomeUiTest {
    @get:Rule
    val rule = createComposeRule()
    private val platform = DesktopPlatform()

    private fun screenshot(name: String) {
        val dir = System.getProperty("tandem.screenshots") ?: return
        ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(dir, "$name.png"))
    }

    @Test
    fun signInShowsTheFingerprintBeforeTrustingThenHomeListsQueuesAndInvitations() {
        val gateway = FakeGateway("AA:BB:CC:DD")
        val trust = MemoryTrust()
        rule.setContent { TandemApp(gateway, trust, platform) }
        rule.onNodeWithTag("sign-in").assertIsNotEnabled()
        rule.onNodeWithTag("address").performTextReplacement("https://10.0.2.2:8443/")
        rule.onNodeWithTag("email").performTextInput("alice@demo.tandem")
        rule.onNodeWithTag("password").performTextInput("right")
        rule.onNodeWithTag("sign-in").performClick()
        rule.waitForIdle()
        rule.onNodeWithText("AA:BB:CC:DD").assertIsDisplayed()
        screenshot("sign-in-certificate")
        assertEquals("nothing is trusted before the technician says so", emptyList<String?>(), gateway.signIns)
        rule.onNodeWithTag("trust").performClick()
        rule.waitForIdle()
        assertEquals(mapOf("https://10.0.2.2:8443/" to "AA:BB:CC:DD"), trust.pins)
        // Home: the personal queue and the team's, and the customer's name to take.
        rule.onNodeWithText("My queue").assertIsDisplayed()
        rule.onNodeWithText("Service Desk").assertIsDisplayed()
        rule.onNodeWithText("Lee").assertIsDisplayed()
        screenshot("home")
    }

    @Test
    fun anInvitationIsAnsweredFromTheHomeScreen() {
        val console = FakeConsole()
        console.snapshots.value = console.snapshots.value.copy(incoming = listOf(Invitation(70, 12, 2, Invitee.AnyRepresentative(20))))
        rule.setContent {
            val scope = rememberCoroutineScope()
            CompositionLocalProvider(LocalPlatform provides platform) {
                TandemTheme { HomeScreen(remember { HomePresenter(console, scope) }, linked = 70) {} }
            }
        }
        rule.onNodeWithText("Bob Baker invites anyone in Service Desk").assertIsDisplayed()
        rule.onNodeWithText("Customer: Max · from your link").assertIsDisplayed()
        screenshot("home-invitation")
        rule.onNodeWithText("Accept").performClick()
        rule.waitForIdle()
        assertEquals(listOf<SessionCommand>(SessionCommand.AcceptInvitation(70)), console.performed)
    }
}
