package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ShellStream
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The customer's command shell as a scrolling transcript with a command line. */
class ShellPresenter(private val console: Console, private val session: Long, private val scope: CoroutineScope) {
    data class State(val transcript: String = "", val input: String = "", val open: Boolean = false, val message: String? = null)

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()
    private var shell: ShellStream? = null
    private var reading: Job? = null

    fun open() {
        if (reading?.isActive == true) return
        reading = scope.launch {
            try {
                val s = console.openShell(session)
                shell = s
                mutable.update { it.copy(open = true) }
                val text = Utf8Stream()
                while (true) {
                    val bytes = s.read() ?: break
                    // Keep the last 64 KiB: a phone shows a screenful, not a log.
                    mutable.update { it.copy(transcript = (it.transcript + withoutEscapes(text.decode(bytes))).takeLast(64 * 1024)) }
                }
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                shell?.close()
                shell = null
                mutable.update { it.copy(open = false) }
            }
        }
    }

    fun edit(input: String) = mutable.update { it.copy(input = input) }

    fun send() {
        val s = shell ?: return
        val line = state.value.input
        mutable.update { it.copy(input = "") }
        scope.launch {
            try {
                s.write((line + "\n").toByteArray())
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            }
        }
    }

    /** A key of the special-keys row, sent at once as the terminal's bytes for it. */
    fun press(key: SpecialKey) {
        val s = shell ?: return
        val bytes = key.terminal?.toByteArray() ?: return
        scope.launch {
            try {
                s.write(bytes)
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            }
        }
    }

    fun close() {
        reading?.cancel()
    }
}

/** Terminal colour and cursor sequences do not belong in a plain transcript. */
internal fun withoutEscapes(text: String): String =
    text.replace(Regex("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007"), "").replace("\r", "")
