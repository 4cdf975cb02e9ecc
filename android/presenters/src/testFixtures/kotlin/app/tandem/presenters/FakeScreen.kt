package app.tandem.presenters

import app.tandem.console.api.Frame
import app.tandem.console.api.Monitors
import app.tandem.console.api.ScreenStream
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.update

/** A customer's screen for tests: the newest frame and monitors, and a record of what was sent. */
class FakeScreen(var newest: Frame?, var listed: Monitors? = null) : ScreenStream {
    val sent = MutableStateFlow<List<String>>(emptyList())
    val closed = MutableStateFlow(false)

    override suspend fun frame(after: Long): Frame? = newest?.takeIf { it.seq > after }
    override val isClosed: Boolean get() = closed.value
    override suspend fun pointer(x: Int, y: Int, buttons: Int) = sent.update { it + "pointer $x,$y $buttons" }
    override suspend fun key(keysym: Int, down: Boolean) = sent.update { it + "key ${keysym.toString(16)} ${if (down) "down" else "up"}" }
    override suspend fun show(width: Int, height: Int) = sent.update { it + "show ${width}x$height" }
    override suspend fun monitors(): Monitors? = listed
    override suspend fun showMonitor(index: Int?) = sent.update { it + "monitor ${index ?: "all"}" }
    override fun close() {
        closed.value = true
    }
}
