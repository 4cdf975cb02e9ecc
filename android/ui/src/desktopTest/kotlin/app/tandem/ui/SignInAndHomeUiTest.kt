package app.tandem.ui

import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
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
import app.tandem.presenters.SignInPresenter
import org.junit.Assert.assertEquals
import org.junit.Test

/**
 * Sign-in with trust on first use, then the home screen's queues and invitations, as Compose UI
 * tests on a phone (412x915 dp), light and dark. Screenshots: sign-in-*.png, home-invitation-*.png.
 */
@OptIn(ExperimentalTestApi::class)
class SignInAndHomeUiTest {
    private val platform = DesktopPlatform()

    @Test
    fun signInShowsTheFingerprintBeforeTrustingThenHomeListsQueuesAndInvitations() = onPhone {
        val gateway = FakeGateway("AA:BB:CC:DD")
        val trust = MemoryTrust()
        setContent { TandemApp(gateway, trust, platform) }
        onNodeWithTag("sign-in").assertIsNotEnabled()
        onNodeWithTag("address").performTextReplacement("https://10.0.2.2:8443/")
        onNodeWithTag("email").performTextInput("alice@demo.tandem")
        onNodeWithTag("password").performTextInput("right")
        onNodeWithTag("sign-in").performClick()
        waitForIdle()
        onNodeWithText("AA:BB:CC:DD").assertIsDisplayed()
        assertEquals("nothing is trusted before the technician says so", emptyList<String?>(), gateway.signIns)
        onNodeWithTag("trust").performClick()
        waitForIdle()
        assertEquals(mapOf("https://10.0.2.2:8443/" to "AA:BB:CC:DD"), trust.pins)
        // Home: the personal queue and the team's, and the customer's name to take.
        onNodeWithText("My queue").assertIsDisplayed()
        onNodeWithText("Service Desk").assertIsDisplayed()
        onNodeWithText("Lee").assertIsDisplayed()
    }

    @Test
    fun signInOnAPhoneInLightAndDarkWithTheCertificateAndARefusal() {
        for (dark in listOf(false, true)) onPhone {
            val theme = if (dark) "dark" else "light"
            val gateway = FakeGateway("AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99")
            setContent {
                val scope = rememberCoroutineScope()
                Themed(platform, dark) { SignInScreen(remember { SignInPresenter(gateway, MemoryTrust(), scope) {} }) }
            }
            screenshot("sign-in-$theme")
            assertAccessible("the sign-in form")
            onNodeWithTag("email").performTextInput("alice@demo.tandem")
            onNodeWithTag("password").performTextInput("wrong")
            onNodeWithTag("sign-in").performClick()
            waitForIdle()
            onNodeWithTag("certificate").assertIsDisplayed()
            screenshot("sign-in-certificate-$theme")
            assertAccessible("the certificate to trust")
            onNodeWithTag("trust").performClick()
            waitForIdle()
            onNodeWithTag("sign-in-error").assertTextEquals("Wrong e-mail or password.")
            screenshot("sign-in-refused-$theme")
            assertAccessible("a refused sign-in")
        }
    }

    @Test
    fun anInvitationIsAnsweredFromTheHomeScreen() {
        for (dark in listOf(false, true)) onPhone {
            val console = FakeConsole()
            console.snapshots.value = console.snapshots.value.copy(incoming = listOf(Invitation(70, 12, 2, Invitee.AnyRepresentative(20))))
            setContent {
                val scope = rememberCoroutineScope()
                Themed(platform, dark) { HomeScreen(remember { HomePresenter(console, scope) }, linked = 70) {} }
            }
            onNodeWithText("Bob Baker invites anyone in Service Desk").assertIsDisplayed()
            onNodeWithText("Customer: Max · from your link").assertIsDisplayed()
            screenshot("home-invitation-${if (dark) "dark" else "light"}")
            assertAccessible("an invitation on the home screen")
            onNodeWithText("Accept").performClick()
            waitForIdle()
            assertEquals(listOf<SessionCommand>(SessionCommand.AcceptInvitation(70)), console.performed)
        }
    }
}
