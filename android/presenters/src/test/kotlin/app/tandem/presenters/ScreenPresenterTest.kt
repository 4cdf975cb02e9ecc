package app.tandem.presenters

import app.tandem.console.api.Frame
import app.tandem.console.api.Monitor
import app.tandem.console.api.Monitors
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** The customer's screen on a phone: the newest frame shown, touches turned into clicks where they land. */
class ScreenPresenterTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val console = FakeConsole()

    @After
    fun stop() = scope.cancel()

    /** A 1920x1080 customer screen, open in the presenter with its first frame shown. */
    private fun showingA1080pScreen(): Pair<FakeScreen, ScreenPresenter> {
        val screen = FakeScreen(Frame(1, 1920, 1080, ByteArray(0)))
        console.screen = screen
        val presenter = ScreenPresenter(console, FakeConsole.SESSION, scope)
        presenter.open()
        presenter.frame.await("the first frame") { it?.seq == 1L }
        return screen to presenter
    }

    @Test
    fun theNewestFrameIsShownAndATapClicksWhereItLandsOnTheCustomersScreen() {
        val (screen, presenter) = showingA1080pScreen()
        screen.newest = Frame(5, 1920, 1080, ByteArray(0))
        presenter.frame.await("the newest frame") { it?.seq == 5L }

        // A 960x1000 view shows the 1920x1080 screen at half size, centred vertically (top 230).
        assertEquals(1000 to 540, presenter.toScreen(500f, 500f, 960f, 1000f))
        assertNull("a tap on the letterbox above the picture is nowhere on the screen", presenter.toScreen(500f, 100f, 960f, 1000f))
        presenter.tap(500f, 500f, 960f, 1000f)
        presenter.type("ok\n")
        val sent = screen.sent.await("the click and the keys") { it.size == 9 }
        assertEquals(
            listOf("pointer 1000,540 0", "pointer 1000,540 1", "pointer 1000,540 0", "key 6f down", "key 6f up", "key 6b down", "key 6b up", "key ff0d down", "key ff0d up"),
            sent,
        )
        presenter.close()
        screen.closed.await("the stream closed") { it }
    }

    @Test
    fun zoomedInATapStillLandsUnderTheFingerALongPressRightClicksAndSpecialKeysGoAsCombinations() {
        val (screen, presenter) = showingA1080pScreen()
        // 960x540 view: the screen fits at half size. Pinch to 2x around the view's centre:
        // the centre stays the screen's centre, and a point 100 px right of it is 100 screen px right.
        presenter.transform(480f, 270f, 0f, 0f, 2f, 960f, 540f)
        assertEquals(ScreenPresenter.View(2f, 0f, 0f), presenter.view.value)
        assertEquals(960 to 540, presenter.toScreen(480f, 270f, 960f, 540f))
        assertEquals(1060 to 540, presenter.toScreen(580f, 270f, 960f, 540f))
        // Dragged left by 200 view px: the centre of the view now shows 200 screen px further right.
        presenter.transform(480f, 270f, -200f, 0f, 1f, 960f, 540f)
        assertEquals(1160 to 540, presenter.toScreen(480f, 270f, 960f, 540f))
        // Neither zoomed out past fit nor dragged off the picture.
        presenter.transform(480f, 270f, -5000f, 0f, 0.1f, 960f, 540f)
        assertEquals(ScreenPresenter.View(1f, 0f, 0f), presenter.view.value)

        presenter.longPress(480f, 270f, 960f, 540f)
        presenter.press(SpecialKey.CTRL_ALT_DEL)
        presenter.type("é€")
        val sent = screen.sent.await("the right click, the combination and the keys") { it.size == 13 }
        assertEquals(
            listOf(
                "pointer 960,540 0", "pointer 960,540 4", "pointer 960,540 0",
                "key ffe3 down", "key ffe9 down", "key ffff down", "key ffff up", "key ffe9 up", "key ffe3 up",
                "key e9 down", "key e9 up", "key 10020ac down", "key 10020ac up",
            ),
            sent,
        )
        presenter.close()
    }

    @Test
    fun thePhoneAsksForTheScreenAtTheSizeItShowsItAndForMoreInStepsAsItZooms() {
        val (screen, presenter) = showingA1080pScreen()
        // Issue 15: a 1080x2000 view asks for that, not the desktop's 1920x1080.
        presenter.viewSize(1080, 2000)
        presenter.viewSize(1080, 2000)
        // A pinch in small moves up to 1.8x asks once for 1.5x, once for 2x: not at every move.
        for (i in 1..6) presenter.transform(540f, 1000f, 0f, 0f, 1.1f, 1080f, 2000f)
        presenter.resetView()
        val sent = screen.sent.await("the sizes asked for") { it.size == 4 }
        assertEquals(listOf("show 1080x2000", "show 1620x3000", "show 2160x4000", "show 1080x2000"), sent)
        presenter.close()
    }

    @Test
    fun aScreenThatIsNotSharedSaysWhy() {
        val presenter = ScreenPresenter(console, FakeConsole.SESSION, scope)
        presenter.open()
        presenter.error.await("the refusal") { it != null }
        assertEquals("The customer's screen is not being shared (A1)", presenter.error.value)
        assertTrue(presenter.frame.value == null)
    }

    @Test
    fun theCustomersMonitorsAreOfferedAndAPickSendsThatMonitorAndStartsTheViewAtFit() {
        val (screen, presenter) = showingA1080pScreen()
        val two = Monitors(listOf(Monitor("DP-1", 1920, 1080, true), Monitor("HDMI-1", 1280, 1024, false)), null)
        screen.listed = two
        presenter.monitors.await("the monitors listed") { it == two }
        presenter.transform(480f, 270f, 0f, 0f, 2f, 960f, 540f)
        presenter.pickMonitor(1)
        assertEquals("a new picture starts at fit", ScreenPresenter.View(), presenter.view.value)
        presenter.pickMonitor(null)
        val sent = screen.sent.await("the picks") { it.count { m -> m.startsWith("monitor") } == 2 }
        assertEquals(listOf("monitor 1", "monitor all"), sent.filter { it.startsWith("monitor") })
    }
}
