package app.tandem.presenters

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.Assert.assertEquals
import org.junit.Test

/** What the shell tab shows of the customer's shell output. */
class ShellTextTest {
    @Test
    fun aCharacterSplitBetweenChunksIsShownWhole() {
        val bytes = "déjà vu ✓\n".toByteArray()
        val stream = Utf8Stream()
        // Cut inside "é" (2 bytes) and inside "✓" (3 bytes).
        val parts = listOf(bytes.copyOfRange(0, 2), bytes.copyOfRange(2, 10), bytes.copyOfRange(10, bytes.size))
        assertEquals("déjà vu ✓\n", parts.joinToString("") { stream.decode(it) })
    }

    @Test
    fun terminalColoursAndCarriageReturnsAreLeftOut() {
        assertEquals("ok done\n", withoutEscapes("\u001B[1;32mok\u001B[0m done\r\n"))
        assertEquals("title gone", withoutEscapes("\u001B]0;user@host\u0007title gone"))
    }

    @Test
    fun theSpecialKeysRowSendsWhatATerminalExpects() {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val console = FakeConsole()
        val shell = FakeShell()
        console.shell = shell
        val presenter = ShellPresenter(console, FakeConsole.SESSION, scope)
        presenter.open()
        presenter.state.await("the shell open") { it.open }
        for (key in listOf(SpecialKey.CTRL_C, SpecialKey.TAB, SpecialKey.UP, SpecialKey.ESC)) {
            presenter.press(key)
            shell.written.await("$key written") { it.lastOrNull() == key.terminal }
        }
        assertEquals(listOf("\u0003", "\t", "\u001b[A", "\u001b"), shell.written.value)
        // Ctrl+Alt+Del is for the screen: a terminal has no such bytes, so nothing is sent.
        presenter.press(SpecialKey.CTRL_ALT_DEL)
        shell.output.trySend("done\n".toByteArray())
        presenter.state.await("the output") { it.transcript.contains("done") }
        assertEquals(4, shell.written.value.size)
        scope.cancel()
    }
}
