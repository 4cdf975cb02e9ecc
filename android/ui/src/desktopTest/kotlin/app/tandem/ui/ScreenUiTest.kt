package app.tandem.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.remember
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.junit4.v2.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import app.tandem.console.api.Frame
import app.tandem.console.api.Monitor
import app.tandem.console.api.Monitors
import app.tandem.console.api.ScreenShare
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.FakeScreen
import app.tandem.presenters.SessionPresenter
import java.io.File
import javax.imageio.ImageIO
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

/** The Screen tab draws the customer's screen from the frames it pulls, in the right colours. */
class ScreenUiTest {
    @get:Rule
    val rule = createComposeRule()

    @Test
    fun theCustomersScreenIsDrawnInItsOwnColours() {
        val console = FakeConsole()
        val s = console.snapshots.value
        console.snapshots.value = s.copy(sessions = s.sessions.map { it.copy(screen = ScreenShare.VIEW) })
        // A 64x48 screen, orange: B G R A bytes (0x20, 0x80, 0xF0).
        val orange = ByteArray(64 * 48 * 4) { i -> when (i % 4) { 0 -> 0x20; 1 -> 0x80.toByte(); 2 -> 0xF0.toByte(); else -> 0xFF.toByte() } }
        console.screen = FakeScreen(Frame(1, 64, 48, orange))
        rule.setContent {
            val scope = rememberCoroutineScope()
            CompositionLocalProvider(LocalPlatform provides DesktopPlatform()) {
                TandemTheme { SessionScreen(remember { SessionPresenter(console, FakeConsole.SESSION, scope) }, console) {} }
            }
        }
        rule.onNodeWithText("Screen").performClick()
        rule.waitUntil(5_000) { runCatching { rule.onNodeWithTag("screen").fetchSemanticsNode() }.isSuccess }
        val shot = rule.onNodeWithTag("screen").captureToImage().toAwtImage()
        System.getProperty("tandem.screenshots")?.let { ImageIO.write(rule.onRoot().captureToImage().toAwtImage(), "png", File(it, "screen.png")) }
        assertEquals("the middle of the picture is the customer's orange", 0xF08020, shot.getRGB(shot.width / 2, shot.height / 2) and 0xFFFFFF)
    }

    @Test
    fun aCustomerWithTwoMonitorsIsOfferedEachAloneAndAPickIsSent() {
        val console = FakeConsole()
        val s = console.snapshots.value
        console.snapshots.value = s.copy(sessions = s.sessions.map { it.copy(screen = ScreenShare.VIEW) })
        val screen = FakeScreen(
            Frame(1, 64, 48, ByteArray(64 * 48 * 4)),
            Monitors(listOf(Monitor("DP-1", 1920, 1080, true), Monitor("HDMI-1", 1280, 1024, false)), null),
        )
        console.screen = screen
        rule.setContent {
            val scope = rememberCoroutineScope()
            CompositionLocalProvider(LocalPlatform provides DesktopPlatform()) {
                TandemTheme { SessionScreen(remember { SessionPresenter(console, FakeConsole.SESSION, scope) }, console) {} }
            }
        }
        rule.onNodeWithText("Screen").performClick()
        rule.waitUntil(5_000) { runCatching { rule.onNodeWithTag("monitor-1").fetchSemanticsNode() }.isSuccess }
        rule.onNodeWithText("1 (main)").assertExists()
        rule.onNodeWithTag("monitor-1").performClick()
        rule.waitUntil(5_000) { "monitor 1" in screen.sent.value }
        assertTrue(screen.sent.value.contains("monitor 1"))
    }
}
