package app.tandem.presenters

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
}
