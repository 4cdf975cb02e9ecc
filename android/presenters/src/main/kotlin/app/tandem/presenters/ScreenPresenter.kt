package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Frame
import app.tandem.console.api.ScreenStream
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch

/**
 * The customer's screen on the phone: pulls the newest frame at most [fps] times a second (a
 * slow phone draws fewer, never queues), and turns touches into the customer's pointer.
 */
class ScreenPresenter(
    private val console: Console,
    private val session: Long,
    private val scope: CoroutineScope,
    private val fps: Int = 30,
) {
    private val frames = MutableStateFlow<Frame?>(null)
    val frame: StateFlow<Frame?> = frames.asStateFlow()
    private val errors = MutableStateFlow<String?>(null)
    val error: StateFlow<String?> = errors.asStateFlow()
    private var pulling: Job? = null
    // Pointer and keys go out one at a time, in the order they happened: a tap then typing must
    // reach the customer as a click then keys.
    private val input = Channel<suspend (ScreenStream) -> Unit>(capacity = 256)

    /** Start showing the screen (it must be shared). */
    fun open() {
        if (pulling?.isActive == true) return
        pulling = scope.launch {
            // The stream belongs to this job alone: a job being cancelled cannot close the next one's.
            var opened: ScreenStream? = null
            try {
                val s = console.openScreen(session)
                opened = s
                val sending = launch {
                    for (event in input) {
                        try {
                            event(s)
                        } catch (e: ConsoleException) {
                            errors.value = e.shown
                        }
                    }
                }
                var seq = 0L
                while (isActive && !s.isClosed) {
                    s.frame(seq)?.let { seq = it.seq; frames.value = it }
                    delay(1000L / fps)
                }
                sending.cancel()
            } catch (e: ConsoleException) {
                errors.value = e.shown
            } finally {
                opened?.close()
            }
        }
    }

    fun close() {
        pulling?.cancel()
        pulling = null
    }

    /** Map a point of the view showing the frame (scaled to fit) to the customer's screen. */
    fun toScreen(x: Float, y: Float, viewWidth: Float, viewHeight: Float): Pair<Int, Int>? {
        val f = frame.value ?: return null
        val scale = minOf(viewWidth / f.width, viewHeight / f.height)
        val left = (viewWidth - f.width * scale) / 2
        val top = (viewHeight - f.height * scale) / 2
        val sx = ((x - left) / scale).toInt()
        val sy = ((y - top) / scale).toInt()
        return if (sx in 0 until f.width && sy in 0 until f.height) sx to sy else null
    }

    /** A tap: a left click where it landed (the appliance passes it on only under control). */
    fun tap(x: Float, y: Float, viewWidth: Float, viewHeight: Float) {
        val (sx, sy) = toScreen(x, y, viewWidth, viewHeight) ?: return
        input.trySend { s ->
            s.pointer(sx, sy, 0)
            s.pointer(sx, sy, 1)
            s.pointer(sx, sy, 0)
        }
    }

    /** Typed text, as key presses (Latin-1 characters are their own X11 keysym). */
    fun type(text: String) {
        input.trySend { s ->
            for (c in text) {
                val keysym = if (c == '\n') 0xff0d else c.code
                s.key(keysym, true)
                s.key(keysym, false)
            }
        }
    }
}
