package app.tandem.presenters

import app.tandem.console.api.Frame
import app.tandem.console.api.ScreenStream

/** A customer's screen for tests: the newest frame, and a record of the pointer and keys sent. */
class FakeScreen(var newest: Frame?) : ScreenStream {
    val sent = mutableListOf<String>()
    var closed = false

    override fun frame(after: Long): Frame? = newest?.takeIf { it.seq > after }
    override val isClosed: Boolean get() = closed
    override suspend fun pointer(x: Int, y: Int, buttons: Int) {
        sent += "pointer $x,$y $buttons"
    }
    override suspend fun key(keysym: Int, down: Boolean) {
        sent += "key ${keysym.toString(16)} ${if (down) "down" else "up"}"
    }
    override fun close() {
        closed = true
    }
}
