package app.tandem.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.tandem.console.api.SessionCommand
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.SessionPresenter
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Test

/**
 * The session screen's flyout menu and its share and invite-external flows, as Compose UI tests
 * on the desktop JVM (the same androidx.compose APIs as on Android), over a fake console, on a
 * phone (412x915 dp). Screenshots: flows-*.png in target/android-jvm/screenshots.
 */
@OptIn(ExperimentalTestApi::class)
class FlowsUiTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
    private val console = FakeConsole()
    private val platform = DesktopPlatform()

    @After
    fun stop() = scope.cancel()

    private fun SkikoComposeUiTest.show() {
        val presenter = SessionPresenter(console, FakeConsole.SESSION, scope)
        setContent { Themed(platform, dark = false) { SessionScreen(presenter, console) {} } }
    }

    /** Open the flyout menu and tap down a path of its lines, e.g. "Share Session", "Invite a team member". */
    private fun SkikoComposeUiTest.tapMenu(vararg path: String) {
        onNodeWithTag("menu").performClick()
        path.forEach { onNodeWithTag("menu:$it").performClick() }
    }

    @Test
    fun theFlyoutMenuListsEveryActionAndSaysWhyGreyedOnesAreNot() = onPhone {
        show()
        tapMenu()
        onNodeWithTag("flyout").assertIsDisplayed()
        onNodeWithTag("menu:Cancel Invitation").assertIsNotEnabled()
        onNodeWithTag("reason:Cancel Invitation", useUnmergedTree = true).assertTextEquals("There is no open invitation to cancel (S7)")
        onNodeWithTag("menu:Pin Jump Client").assertIsEnabled()
        // A group opens in place; its greyed line says why too.
        onNodeWithTag("menu:Elevate").performClick()
        onNodeWithTag("reason:Prompt Customer", useUnmergedTree = true).assertTextEquals("The customer client is not running as a full client (E2)")
        onNodeWithTag("menu:Provide Credentials").assertIsEnabled()
        screenshot("flows-flyout-menu")
        // Tapping a greyed line does nothing: no dialog opens, nothing is asked.
        onNodeWithTag("menu:Cancel Invitation").performClick()
        onNodeWithTag("flyout").assertIsDisplayed()
        assertEquals(emptyList<SessionCommand>(), console.performed)
    }

    @Test
    fun shareSessionWithATeamMemberShowsPresenceAndInvites() = onPhone {
        show()
        tapMenu("Share Session", "Invite a team member")
        onNodeWithTag("share-teams").assertIsDisplayed()
        onNodeWithTag("option:Service Desk").performClick()
        onNodeWithText("Available (extended)").assertIsDisplayed()
        onNodeWithText("Offline").assertIsDisplayed()
        screenshot("flows-share-members")
        onNodeWithTag("option:Bob Baker").performClick()
        waitForIdle()
        assertEquals(listOf<SessionCommand>(SessionCommand.InviteTechnician(FakeConsole.SESSION, 2)), console.performed)
        onNodeWithTag("done", useUnmergedTree = true).assertTextEquals("Invitation sent to Bob Baker")
    }

    @Test
    fun inviteAnExternalRepresentativeThenCopyAndShareTheLink() = onPhone {
        show()
        tapMenu("External", "Invite External Representative")
        onNodeWithText("Sees the customer's screen and chats. Cannot control the screen, open a shell, or transfer files.").assertIsDisplayed()
        onNodeWithTag("confirm").assertIsNotEnabled()
        // A tap on the dialog's own text keeps it open (only the scrim around it dismisses).
        onNodeWithText("Invite External Representative").performClick()
        onNodeWithTag("invite-external").assertIsDisplayed()
        onNodeWithTag("policy:Vendor engineer").performClick()
        onNodeWithTag("external-name").performTextInput("Vera Vendor")
        onNodeWithTag("external-comments").performTextInput("Printer firmware")
        screenshot("flows-invite-external")
        onNodeWithTag("confirm").performClick()
        waitForIdle()
        onNodeWithTag("link", useUnmergedTree = true).assertTextEquals("https://support.example/join/TOKEN-Vera Vendor")
        screenshot("flows-external-link")
        onNodeWithTag("copy").performClick()
        onNodeWithTag("share").performClick()
        assertEquals(listOf("https://support.example/join/TOKEN-Vera Vendor"), platform.copied)
        assertEquals(listOf("https://support.example/join/TOKEN-Vera Vendor"), platform.shared)
        assertEquals(listOf<Any?>(FakeConsole.SESSION, 31L, "Vera Vendor", "Printer firmware", null), console.invites.single())
    }
}
