package app.tandem.ui

import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.waitUntilExactlyOneExists
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Frame
import app.tandem.console.api.ScreenShare
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.FakeScreen
import app.tandem.presenters.FakeShell
import app.tandem.presenters.SessionPresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The session screen on a phone (issue 13): chat and the flyout menu in portrait, the customer's
 * screen in landscape (915x412) with its keys, the shell's special-keys row; light and dark,
 * each checked by [assertAccessible], at double font size too; on a tablet (1280x800), the chat
 * beside the screen. Screenshots: session-*.png.
 */
@OptIn(ExperimentalTestApi::class)
class SessionOnAPhoneUiTest {
    private val platform = DesktopPlatform()

    private fun console(screen: ScreenShare = ScreenShare.OFF, shell: Boolean = false) = FakeConsole().apply {
        snapshots.value = snapshots.value.let { s ->
            s.copy(sessions = s.sessions.map { it.copy(screen = screen, shell = shell, chat = listOf(
                app.tandem.console.api.ChatLine(1, 0, app.tandem.console.api.Participant.Customer, "The printer says paper jam, but there is no paper in it."),
                app.tandem.console.api.ChatLine(2, 0, app.tandem.console.api.Participant.OfTechnician(FakeConsole.ME), "Let me have a look at your screen."),
            )) })
        }
    }

    private fun SkikoComposeUiTest.show(console: FakeConsole, dark: Boolean) = setContent {
        val scope = rememberCoroutineScope()
        Themed(platform, dark) { SessionScreen(remember { SessionPresenter(console, FakeConsole.SESSION, scope) }, console) {} }
    }

    /** A customer's screen of one colour, as the core hands it over (B G R A). */
    private fun solid(width: Int, height: Int, blue: Int, green: Int, red: Int) =
        Frame(1, width, height, ByteArray(width * height * 4) { i -> when (i % 4) { 0 -> blue; 1 -> green; 2 -> red; else -> 0xFF }.toByte() })

    private fun name(what: String, dark: Boolean) = "session-$what-${if (dark) "dark" else "light"}"

    @Test
    fun chatAndTheFlyoutMenuOnAPhoneInLightAndDark() {
        for (dark in listOf(false, true)) onPhone {
            show(console(), dark)
            onNodeWithText("Linux · Full client").assertIsDisplayed()
            onNodeWithText("Let me have a look at your screen.").assertIsDisplayed()
            screenshot(name("chat", dark))
            assertAccessible("the chat")
            onNodeWithTag("menu").performClick()
            onNodeWithTag("flyout").assertIsDisplayed()
            screenshot(name("flyout", dark))
            assertAccessible("the flyout menu")
        }
    }

    @Test
    fun theSessionStaysReadableAtDoubleFontSize() = onPhone(fontScale = 2f) {
        show(console(), dark = false)
        assertAccessible("the chat at 200 %")
        screenshot("session-chat-font-200")
        onNodeWithTag("menu").performClick()
        assertAccessible("the flyout menu at 200 %")
        screenshot("session-flyout-font-200")
    }

    @Test
    fun theCustomersScreenInLandscapeWithTheKeysAPhoneLacks() {
        for (dark in listOf(false, true)) {
            val console = console(ScreenShare.CONTROL)
            // A 1920x1080 desktop, dark blue.
            val screen = FakeScreen(solid(1920, 1080, blue = 0x80, green = 0x30, red = 0x10))
            console.screen = screen
            onPhone(landscape = true) {
                show(console, dark)
                onNodeWithText("Screen").performClick()
                waitUntilExactlyOneExists(hasTestTag("screen"), 5_000)
                onNodeWithTag("screen-keys").assertIsDisplayed()
                screenshot(name("screen-landscape", dark))
                assertAccessible("the screen tab in landscape")
                onNodeWithTag("key-CTRL_ALT_DEL").performClick()
                onNodeWithTag("remote-type").performTextInput("hi")
                onNodeWithTag("remote-send").performClick()
                // The keys go out on the screen's coroutines, which run as the test's clock advances.
                waitUntil("the keys sent", 5_000) { screen.sent.value.count { it.startsWith("key") } == 10 }
                // Issue 15: before anything else, the phone said the size it shows the screen at.
                val asked = screen.sent.value.first()
                assertTrue(asked, asked.startsWith("show ") && asked != "show 1920x1080")
                val sent = screen.sent.value.filter { it.startsWith("key") }
                assertEquals("key ffe3 down", sent.first())
                assertEquals(listOf("key 68 down", "key 68 up", "key 69 down", "key 69 up"), sent.takeLast(4))
            }
        }
    }

    @Test
    fun theOtherTabsARefusalAndAClosedSessionOnAPhone() {
        for (dark in listOf(false, true)) onPhone {
            val console = console()
            show(console, dark)
            // Before sharing: the screen's tools, the one greyed with the engine's reason (E1).
            onNodeWithText("Screen").performClick()
            onNodeWithText("The customer already runs the full client (E1)").assertIsDisplayed()
            screenshot(name("screen-off", dark))
            assertAccessible("the screen tab before sharing")
            onNodeWithText("Info").performClick()
            onNodeWithText("System information").performClick()
            waitUntilExactlyOneExists(hasText("kims-pc"), 5_000)
            screenshot(name("info", dark))
            assertAccessible("the information tab")
            // A refusal from the appliance, in words with its rule, until dismissed.
            console.refuseNext = ConsoleException(ConsoleException.Kind.REFUSED, "Only the session owner can transfer the session", 403, "T3")
            onNodeWithTag("menu").performClick()
            onNodeWithTag("menu:Transfer").performClick()
            onNodeWithTag("menu:To a team queue").performClick()
            waitForIdle()
            onNodeWithTag("option:Servers").performClick()
            waitForIdle()
            onNodeWithText("Only the session owner can transfer the session (T3)").assertIsDisplayed()
            screenshot(name("refused", dark))
            assertAccessible("a refusal")
            // The session ends (the customer left, or another technician ended it): said, with the way back.
            console.snapshots.value = console.snapshots.value.copy(sessions = emptyList())
            waitForIdle()
            onNodeWithText("This session is closed for you.").assertIsDisplayed()
            screenshot(name("closed", dark))
            assertAccessible("a closed session")
        }
    }

    @Test
    fun onATabletTheChatStaysBesideTheCustomersScreen() {
        for (dark in listOf(false, true)) {
            val console = console(ScreenShare.CONTROL)
            console.screen = FakeScreen(solid(1280, 800, blue = 0x30, green = 0x80, red = 0x10))
            onTablet {
                show(console, dark)
                // No chat tab: the chat is a pane of its own, and the screen shows from the start.
                assertEquals(0, onAllNodes(hasText("Chat") and hasClickAction()).fetchSemanticsNodes().size)
                waitUntilExactlyOneExists(hasTestTag("screen"), 5_000)
                onNodeWithTag("chat-pane").assertIsDisplayed()
                onNodeWithText("Let me have a look at your screen.").assertIsDisplayed()
                onNodeWithTag("screen-keys").assertIsDisplayed()
                screenshot(name("tablet", dark))
                assertAccessible("the session on a tablet")
            }
        }
    }

    @Test
    fun theShellHasASpecialKeysRow() {
        for (dark in listOf(false, true)) {
            val console = console(shell = true)
            val shell = FakeShell()
            console.shell = shell
            onPhone {
                show(console, dark)
                onNodeWithText("Shell").performClick()
                waitUntilExactlyOneExists(hasTestTag("shell-keys"), 5_000)
                shell.output.trySend("kim@kims-pc:~$ ".toByteArray())
                waitUntilExactlyOneExists(hasText("kim@kims-pc:~$ ", substring = true), 5_000)
                screenshot(name("shell", dark))
                assertAccessible("the shell")
                onNodeWithTag("key-CTRL_C").performClick()
                waitUntil("Ctrl+C written", 5_000) { shell.written.value == listOf("\u0003") }
            }
        }
    }
}
