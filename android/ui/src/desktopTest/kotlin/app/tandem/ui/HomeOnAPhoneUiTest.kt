package app.tandem.ui

import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Invitation
import app.tandem.console.api.Invitee
import app.tandem.console.api.SessionCommand
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.HomePresenter
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * Home on a phone (412x915 dp portrait), light and dark, at normal and double font size (issue
 * 13): the technician and their presence, session keys, Jump, the account menu, empty states,
 * and the accessibility checks of [assertAccessible] on each. Screenshots: home-*.png.
 */
@OptIn(ExperimentalTestApi::class)
class HomeOnAPhoneUiTest {
    private val platform = DesktopPlatform()
    private val opened = mutableListOf<Long>()
    private var signedOut = false

    private fun SkikoComposeUiTest.show(console: FakeConsole, dark: Boolean = false) = setContent {
        val scope = rememberCoroutineScope()
        Themed(platform, dark) {
            HomeScreen(remember { HomePresenter(console, scope) }, onSignedOut = { signedOut = true }) { opened += it }
        }
    }

    private fun withInvitation() = FakeConsole().apply {
        snapshots.value = snapshots.value.copy(incoming = listOf(Invitation(70, 12, 2, Invitee.AnyRepresentative(20))))
    }

    private fun empty(s: ConsoleSnapshot) = s.copy(sessions = emptyList(), queued = emptyList(), jumpClients = emptyList())

    @Test
    fun homeShowsWhoIsSignedInTheirPresenceAndTheirWorkInLightAndDark() {
        for (dark in listOf(false, true)) onPhone {
            show(withInvitation(), dark)
            onNodeWithTag("identity").assertIsDisplayed()
            onNodeWithText("Alice Archer").assertIsDisplayed()
            onNodeWithText("Available").assertIsDisplayed()
            onNodeWithText("Bob Baker invites anyone in Service Desk").assertIsDisplayed()
            // Platforms by name, never as the enum's (issue 13).
            onNodeWithText("Windows · waiting").assertIsDisplayed()
            screenshot(if (dark) "home-dark" else "home-light")
            assertAccessible("home")
        }
    }

    @Test
    fun homeStaysReadableAtDoubleFontSize() = onPhone(fontScale = 2f) {
        show(withInvitation())
        val (controls, texts) = assertAccessible("home at 200 %")
        assertTrue("the check saw the screen ($controls controls, $texts texts)", controls >= 5 && texts >= 8)
        screenshot("home-font-200")
        onNodeWithTag("tab-jump").performClick()
        assertAccessible("jump at 200 %")
        screenshot("home-jump-font-200")
        onNodeWithTag("new-key").performClick()
        assertAccessible("session key sheet at 200 %")
        screenshot("home-key-font-200")
    }

    @Test
    fun aSessionKeyIsMadeForAQueueAndSharedWithTheCustomer() {
        for (dark in listOf(false, true)) onPhone {
            val console = FakeConsole()
            show(console, dark)
            onNodeWithTag("new-key").performClick()
            onNodeWithTag("key-queue-20").performClick()
            screenshot(if (dark) "home-key-choose-dark" else "home-key-choose-light")
            assertAccessible("choosing the key's queue")
            onNodeWithTag("make-key").performClick()
            waitForIdle()
            assertEquals(listOf<Long?>(20), console.keys)
            onNodeWithTag("key").assertIsDisplayed()
            onNodeWithText("K3Y1").assertIsDisplayed()
            onNodeWithText("https://support.example/customer?key=K3Y1").assertIsDisplayed()
            screenshot(if (dark) "home-key-made-dark" else "home-key-made-light")
            assertAccessible("the key made")
            onNodeWithTag("share-key").performClick()
            onNodeWithTag("copy-key").performClick()
        }
        assertEquals(2, platform.shared.size)
        assertTrue(platform.shared[0], platform.shared[0].contains("https://support.example/customer?key=K3Y1"))
        assertEquals(platform.shared, platform.copied)
    }

    @Test
    fun jumpClientsAreSearchedAndAJumpOpensTheNewSession() {
        for (dark in listOf(false, true)) onPhone {
            val console = FakeConsole()
            show(console, dark)
            onNodeWithTag("tab-jump").performClick()
            onNodeWithText("My jump clients").assertIsDisplayed()
            onNodeWithText("Branch offices").assertIsDisplayed()
            screenshot(if (dark) "home-jump-dark" else "home-jump-light")
            assertAccessible("the jump list")
            onNodeWithTag("jump-search").performTextInput("recep")
            waitForIdle()
            onNodeWithText("Reception PC").assertIsDisplayed()
            assertTrue(onAllNodes(androidx.compose.ui.test.hasText("build-07")).fetchSemanticsNodes().isEmpty())
            onNodeWithText("Jump").performClick()
            waitForIdle()
            assertEquals(listOf(80L), console.jumps)
        }
        assertEquals("the new session opened, once per run", listOf(FakeConsole.JUMP_SESSION, FakeConsole.JUMP_SESSION), opened)
    }

    @Test
    fun theAccountMenuSwitchesExtendedAvailabilityAndSignsOut() {
        for (dark in listOf(false, true)) onPhone {
            val console = FakeConsole()
            show(console, dark)
            onNodeWithTag("account").performClick()
            onNodeWithText("Extended availability").assertIsDisplayed()
            screenshot(if (dark) "home-account-menu-dark" else "home-account-menu-light")
            assertAccessible("the account menu")
            onNodeWithTag("extended").performClick()
            waitForIdle()
            assertEquals(listOf<SessionCommand>(SessionCommand.SetExtendedAvailability(true)), console.performed)
            onNodeWithTag("sign-out").performClick()
            waitForIdle()
            assertTrue(console.signedOut)
        }
        assertTrue(signedOut)
    }

    @Test
    fun anEmptyDaySaysWhatToDo() {
        for (dark in listOf(false, true)) onPhone {
            val console = FakeConsole()
            console.snapshots.value = empty(console.snapshots.value)
            show(console, dark)
            onNodeWithText("No sessions yet").assertIsDisplayed()
            screenshot(if (dark) "home-empty-dark" else "home-empty-light")
            assertAccessible("empty home")
            onNodeWithTag("tab-jump").performClick()
            onNodeWithText("No jump clients").assertIsDisplayed()
            screenshot(if (dark) "home-jump-empty-dark" else "home-jump-empty-light")
        }
    }
}
