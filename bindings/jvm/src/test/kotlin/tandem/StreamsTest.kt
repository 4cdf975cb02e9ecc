package tandem

import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import uniffi.tandem_ffi.ScreenFrame
import uniffi.tandem_ffi.ScreenState
import uniffi.tandem_ffi.TandemScreen
import uniffi.tandem_ffi.TandemShell

/**
 * The screen and the shell through the generated bindings, with the real customer client
 * (tandem-customer) on a virtual display whose background run-tests painted (xsetroot), as the
 * app will use them: pull the newest frame when ready to draw; write and read the shell.
 */
class StreamsTest {
    private companion object {
        const val NAME = "Kim on a virtual display"
    }

    private fun startCustomer(key: String, home: File): Process =
        ProcessBuilder(
            Appliance.customerClient, "--url", Appliance.url, "--fingerprint", Appliance.fingerprint,
            "--key", key, "--name", NAME, "--allow-all",
        ).apply {
            environment()["HOME"] = home.path
            environment()["SHELL"] = "/bin/sh"
            environment()["TANDEM_LOG"] = "info"
            environment()["DISPLAY"] = Appliance.display
            redirectOutput(File(home, "customer.out"))
            redirectError(File(home, "customer.err"))
        }.start()

    /** Pulls frames as a drawing loop would, until one satisfies [done]. */
    private fun TandemScreen.awaitFrame(done: (ScreenFrame) -> Boolean): ScreenFrame {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        var seq = 0uL
        var last: ScreenFrame? = null
        while (System.nanoTime() < deadline) {
            val frame = frame(seq)
            if (frame != null) {
                seq = frame.seq
                last = frame
                if (done(frame)) return frame
            }
            Thread.sleep(20)
        }
        error("no frame as expected; the last was ${last?.width}x${last?.height}")
    }

    /** The pixel at (x, y) as Android's ARGB int: the bytes are B G R A. */
    private fun ScreenFrame.argb(x: Int, y: Int): Int {
        val at = (y * width.toInt() + x) * 4
        fun b(i: Int) = pixels[at + i].toInt() and 0xFF
        return (b(3) shl 24) or (b(2) shl 16) or (b(1) shl 8) or b(0)
    }

    private fun TandemShell.readUntil(needle: String): String {
        val seen = StringBuilder()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (needle !in seen && System.nanoTime() < deadline) {
            val bytes = runBlocking { read() } ?: break
            seen.append(String(bytes))
        }
        return seen.toString()
    }

    @Test
    fun theTechnicianSeesTheCustomersScreenAndUsesTheirShell() {
        val alice = signIn("alice")
        val home = Files.createTempDirectory("tandem-customer").toFile()
        val key = runBlocking { alice.sessionKey(null) }.key
        val customer = startCustomer(key, home)
        try {
            val queued = alice.awaitState { st -> st.queued.any { it.customer.name == NAME } }
            val s = queued.queued.first { it.customer.name == NAME }.id
            runBlocking { alice.acceptFromQueue(s) }
            runBlocking { alice.startScreen(s, false) }
            alice.awaitState { st -> st.sessions.any { it.id == s && it.screen == ScreenState.VIEW } }

            val screen = runBlocking { alice.openScreen(s) }
            val frame = screen.awaitFrame { it.argb(10, 10) == 0xFFFF0000.toInt() }
            assertEquals(Appliance.displaySize, "${frame.width}x${frame.height}")
            assertEquals(frame.width.toInt() * frame.height.toInt() * 4, frame.pixels.size)
            // Asked for what is newer than the frame just drawn: nothing, or a newer one (the
            // customer may have sent another since), never that frame or an older one again.
            val next = screen.frame(frame.seq)?.seq
            assertTrue("after frame ${frame.seq} came frame $next", next == null || next > frame.seq)
            screen.stop()
            assertTrue(screen.isClosed())

            runBlocking { alice.startShell(s) }
            alice.awaitState { st -> st.sessions.any { it.id == s && it.shell } }
            val shell = runBlocking { alice.openShell(s) }
            runBlocking { shell.write("echo jvm-\$((20+22))\n".toByteArray()) }
            assertTrue(shell.readUntil("jvm-42").contains("jvm-42"))

            runBlocking { alice.end(s) }
            assertTrue("the customer client exits at End", customer.waitFor(10, TimeUnit.SECONDS))
            assertEquals(0, customer.exitValue())
        } catch (e: Throwable) {
            throw AssertionError("${e.message}; the customer said ${File(home, "customer.out").readText()} ${File(home, "customer.err").readText()}", e)
        } finally {
            customer.destroyForcibly()
            runBlocking { alice.signOut() }
            home.deleteRecursively()
        }
    }
}
