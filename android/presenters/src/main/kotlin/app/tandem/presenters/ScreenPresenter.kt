package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Frame
import app.tandem.console.api.Monitors
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
import kotlin.math.roundToInt

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
    private val monitorList = MutableStateFlow<Monitors?>(null)

    /** The customer's monitors and which is shown, once their computer said (a choice is offered from two on). */
    val monitors: StateFlow<Monitors?> = monitorList.asStateFlow()
    private var pulling: Job? = null
    // Pointer and keys go out one at a time, in the order they happened: a tap then typing must
    // reach the customer as a click then keys.
    private val input = Channel<suspend (ScreenStream) -> Unit>(capacity = 256)

    /** Start showing the screen (it must be shared). */
    fun open() {
        if (pulling?.isActive == true) return
        // A new stream starts at the customer's full size: tell it the view's.
        asked = null
        askForSize()
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
                    monitorList.value = s.monitors()
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

    /** How the technician looks at the picture: zoomed in by [zoom] (1 = fit), moved by [panX], [panY] view pixels. */
    data class View(val zoom: Float = 1f, val panX: Float = 0f, val panY: Float = 0f)

    private val views = MutableStateFlow(View())
    val view: StateFlow<View> = views.asStateFlow()

    /**
     * A pinch or a drag on a view of [viewWidth] x [viewHeight]: zoom by [zoomBy] around
     * ([centroidX], [centroidY]) and move by ([dx], [dy]). Zoom stays between fit and 6x; the
     * picture cannot be moved out of the view.
     */
    fun transform(centroidX: Float, centroidY: Float, dx: Float, dy: Float, zoomBy: Float, viewWidth: Float, viewHeight: Float) {
        val v = views.value
        val zoom = (v.zoom * zoomBy).coerceIn(1f, 6f)
        val applied = zoom / v.zoom
        // Keep the point under the fingers where it is, then follow the drag.
        val cx = centroidX - viewWidth / 2
        val cy = centroidY - viewHeight / 2
        val maxX = viewWidth * (zoom - 1) / 2
        val maxY = viewHeight * (zoom - 1) / 2
        // (+ 0f: a pan clamped to "-0" is no pan.)
        val panX = ((v.panX - cx) * applied + cx + dx).coerceIn(-maxX, maxX) + 0f
        val panY = ((v.panY - cy) * applied + cy + dy).coerceIn(-maxY, maxY) + 0f
        views.value = View(zoom, panX, panY)
        askForSize()
    }

    fun resetView() {
        views.value = View()
        askForSize()
    }

    private var viewSize: Pair<Int, Int>? = null
    private var asked: Pair<Int, Int>? = null

    /**
     * The view showing the screen is [width] x [height] pixels: the customer's computer is asked
     * to send the screen at that size (times the zoom, in steps), not at its own (issue 15).
     */
    fun viewSize(width: Int, height: Int) {
        if (width <= 0 || height <= 0) return
        viewSize = width to height
        askForSize()
    }

    /** Ask for the view's size times the zoom, rounded up to a step so a pinch asks a few times, not at every move. */
    private fun askForSize() {
        val (w, h) = viewSize ?: return
        val step = ZOOM_STEPS.firstOrNull { it >= views.value.zoom } ?: ZOOM_STEPS.last()
        val size = (w * step).roundToInt() to (h * step).roundToInt()
        if (size == asked) return
        asked = size
        input.trySend { s -> s.show(size.first, size.second) }
    }

    /** Map a point of the view showing the frame (scaled to fit, then zoomed and moved) to the customer's screen. */
    fun toScreen(x: Float, y: Float, viewWidth: Float, viewHeight: Float): Pair<Int, Int>? {
        val f = frame.value ?: return null
        val v = views.value
        // Undo the zoom and pan (about the view's centre), then the fit.
        val ux = (x - viewWidth / 2 - v.panX) / v.zoom + viewWidth / 2
        val uy = (y - viewHeight / 2 - v.panY) / v.zoom + viewHeight / 2
        val scale = minOf(viewWidth / f.width, viewHeight / f.height)
        val left = (viewWidth - f.width * scale) / 2
        val top = (viewHeight - f.height * scale) / 2
        val sx = ((ux - left) / scale).toInt()
        val sy = ((uy - top) / scale).toInt()
        return if (sx in 0 until f.width && sy in 0 until f.height) sx to sy else null
    }

    /**
     * See the customer's monitor at [index] alone (a desktop of two monitors is unreadable on a
     * phone), or the whole desktop (null). The picture changes size, so the view starts at fit.
     */
    fun pickMonitor(index: Int?) {
        views.value = View()
        input.trySend { s -> s.showMonitor(index) }
    }

    /** A tap: a left click where it landed (the appliance passes it on only under control). */
    fun tap(x: Float, y: Float, viewWidth: Float, viewHeight: Float) = click(x, y, viewWidth, viewHeight, BUTTON_LEFT)

    /** A long press: a right click where it landed. */
    fun longPress(x: Float, y: Float, viewWidth: Float, viewHeight: Float) = click(x, y, viewWidth, viewHeight, BUTTON_RIGHT)

    private fun click(x: Float, y: Float, viewWidth: Float, viewHeight: Float, button: Int) {
        val (sx, sy) = toScreen(x, y, viewWidth, viewHeight) ?: return
        input.trySend { s ->
            s.pointer(sx, sy, 0)
            s.pointer(sx, sy, button)
            s.pointer(sx, sy, 0)
        }
    }

    /** Typed text, as key presses: Latin-1 characters are their own X11 keysym, others Unicode's (0x01000000 + code point). */
    fun type(text: String) {
        val keysyms = text.codePoints().toArray().map { c ->
            when {
                c == '\n'.code -> KEY_RETURN
                c < 0x100 -> c
                else -> 0x01000000 + c
            }
        }
        input.trySend { s ->
            for (k in keysyms) {
                s.key(k, true)
                s.key(k, false)
            }
        }
    }

    /** A key of the special-keys bar; a combination is held down in order and let go in reverse. */
    fun press(key: SpecialKey) {
        val keysyms = key.keysyms
        input.trySend { s ->
            keysyms.forEach { s.key(it, true) }
            keysyms.asReversed().forEach { s.key(it, false) }
        }
    }

    companion object {
        const val BUTTON_LEFT = 1
        const val BUTTON_RIGHT = 4
        /** Zooms at which the phone asks for more detail; 6x is the most a pinch reaches. */
        private val ZOOM_STEPS = listOf(1f, 1.5f, 2f, 3f, 4f, 6f)
        private const val KEY_RETURN = 0xff0d
    }
}

/** Keys a phone's keyboard lacks, for the remote screen (X11 keysyms) and the shell (terminal bytes). */
enum class SpecialKey(val label: String, val spoken: String, val keysyms: List<Int>, val terminal: String?) {
    CTRL_ALT_DEL("Ctrl+Alt+Del", "Control Alt Delete", listOf(0xffe3, 0xffe9, 0xffff), null),
    CTRL_C("Ctrl+C", "Control C", listOf(0xffe3, 'c'.code), "\u0003"),
    CTRL_D("Ctrl+D", "Control D", listOf(0xffe3, 'd'.code), "\u0004"),
    ESC("Esc", "Escape", listOf(0xff1b), "\u001b"),
    TAB("Tab", "Tab", listOf(0xff09), "\t"),
    ENTER("Enter", "Enter", listOf(0xff0d), "\r"),
    BACKSPACE("⌫", "Backspace", listOf(0xff08), "\u007f"),
    UP("↑", "Arrow up", listOf(0xff52), "\u001b[A"),
    DOWN("↓", "Arrow down", listOf(0xff54), "\u001b[B"),
    LEFT("←", "Arrow left", listOf(0xff51), "\u001b[D"),
    RIGHT("→", "Arrow right", listOf(0xff53), "\u001b[C"),
    ;

    companion object {
        /** The remote screen's bar. */
        val screen = listOf(CTRL_ALT_DEL, ESC, TAB, ENTER, BACKSPACE, UP, DOWN, LEFT, RIGHT, CTRL_C)

        /** The shell's row: what a terminal needs that a phone keyboard lacks. */
        val shell = listOf(CTRL_C, CTRL_D, ESC, TAB, UP, DOWN, LEFT, RIGHT)
    }
}
