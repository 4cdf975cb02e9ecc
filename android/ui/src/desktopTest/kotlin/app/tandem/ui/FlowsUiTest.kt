package app.tandem.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.assertIsNotEnabled
import androidx.compose.ui.test.assertTextEquals
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.junit4.v2.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.tandem.console.api.SessionCommand
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.SessionPresenter
import java.io.File
import javax.imageio.ImageIO
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Rule
import org.junit.Test

/**
 * The session screen's flyout menu and its share and invite-external flows, as Compose UI tests
 * on the desktop JVM (the same androidx.compose APIs as on Android), over a fake console.
 * Screenshots go to target/android-jvm/screenshots.
 */
class FlowsUiTest {
    @get:Rule
    val rule = createComposeRule()
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
    private val console = FakeConsole()
    private val platform = DesktopPlatform()

    @After
    fun stop() = scope.cancel()

    private fun show() {
        val presenter = SessionPresenter(console, FakeConsole.SESSION, scope)
        rule.setContent {
            CompositionLocalProvider(LocalPlatform provides platform) {
                TandemTheme { SessionScreen(presenter, console) {} }
            }
        }
    }

    /** Open the flyout menu and tap down a path of its lines, e.g. "Share Session", "Invite a team member". */
    private fun tapMenu(vararg path: String) {
        rule.onNodeWithTag("menu").performClick()
        path.forEach { rule.onNodeWithTag("menu:$it").performClick() }
    }

    private fun screenshot(name: String) {
        val dir = System.getProperty("tandem.screenshots") ?: return
        ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(dir, "$name.png"))
    }

    @Test
    fun theFlyoutMenuListsEveryActionAndSaysWhyGreyedOnesAreNot() {
        show()
        tapMenu()
        rule.onNodeWithTag("flyout").assertIsDisplayed()
        rule.onNodeWithTag("menu:Cancel Invitation").assertIsNotEnabled()
        rule.onNodeWithTag("reason:Cancel Invitation", useUnmergedTree = true).assertTextEquals("There is no open invitation to cancel (S7)")
        rule.onNodeWithTag("menu:Pin Jump Client").assertIsEnabled()
        // A group opens in place; its greyed line says why too.
        rule.onNodeWithTag("menu:Elevate").performClick()
        rule.onNodeWithTag("reason:Prompt Customer", useUnmergedTree = true).assertTextEquals("The customer client is not running as a full client (E2)")
        rule.onNodeWithTag("menu:Provide Credentials").assertIsEnabled()
        screenshot("flyout-menu")
        // Tapping a greyed line does nothing: no dialog opens, nothing is asked.
        rule.onNodeWithTag("menu:Cancel Invitation").performClick()
        rule.onNodeWithTag("flyout").assertIsDisplayed()
        assertEquals(emptyList<SessionCommand>(), console.performed)
    }

    @Test
    fun shareSessionWithATeamMemberShowsPresenceAndInvites() {
        show()
        tapMenu("Share Session", "Invite a team member")
        rule.onNodeWithTag("share-teams").assertIsDisplayed()
        rule.onNodeWithTag("option:Service Desk").performClick()
        rule.onNodeWithText("Available (extended)").assertIsDisplayed()
        rule.onNodeWithText("Offline").assertIsDisplayed()
        screenshot("share-members")
        rule.onNodeWithTag("option:Bob Baker").performClick()
        rule.waitForIdle()
        assertEquals(listOf<SessionCommand>(SessionCommand.InviteTechnician(FakeConsole.SESSION, 2)), console.performed)
        rule.onNodeWithTag("done", useUnmergedTree = true).assertTextEquals("Invitation sent to Bob Baker")
    }

    @Test
    fun inviteAnExternalRepresentativeThenCopyAndShareTheLink() {
        show()
        tapMenu("External", "Invite External Representative")
        rule.onNodeWithText("Sees the customer's screen and chats. Cannot control the screen, open a shell, or transfer files.").assertIsDisplayed()
        rule.onNodeWithTag("confirm").assertIsNotEnabled()
        // A tap on the dialog's own text keeps it open (only the scrim around it dismisses).
        rule.onNodeWithText("Invite External Representative").performClick()
        rule.onNodeWithTag("invite-external").assertIsDisplayed()
        rule.onNodeWithTag("policy:Vendor engineer").performClick()
        rule.onNodeWithTag("external-name").performTextInput("Vera Vendor")
        rule.onNodeWithTag("external-comments").performTextInput("Printer firmware")
        screenshot("invite-external")
        rule.onNodeWithTag("confirm").performClick()
        rule.waitForIdle()
        rule.onNodeWithTag("link", useUnmergedTree = true).assertTextEquals("https://support.example/join/TOKEN-Vera Vendor")
        screenshot("external-link")
        rule.onNodeWithTag("copy").performClick()
        rule.onNodeWithTag("share").performClick()
        assertEquals(listOf("https://support.example/join/TOKEN-Vera Vendor"), platform.copied)
        assertEquals(listOf("https://support.example/join/TOKEN-Vera Vendor"), platform.shared)
        assertEquals(listOf<Any?>(FakeConsole.SESSION, 31L, "Vera Vendor", "Printer firmware", null), console.invites.single())
    }
}
