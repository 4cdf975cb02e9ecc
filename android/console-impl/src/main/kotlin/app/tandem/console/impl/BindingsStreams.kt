package app.tandem.console.impl

import app.tandem.console.api.Frame
import app.tandem.console.api.Monitor
import app.tandem.console.api.Monitors
import app.tandem.console.api.ScreenStream
import app.tandem.console.api.ShellStream
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import uniffi.tandem_ffi.TandemScreen
import uniffi.tandem_ffi.TandemShell

internal class BindingsScreen(private val screen: TandemScreen) : ScreenStream {
    // A frame's pixels are copied across the boundary: never on the main thread.
    override suspend fun frame(after: Long): Frame? = withContext(Dispatchers.Default) {
        screen.frame(after.toULong())?.let { Frame(it.seq.toLong(), it.width.toInt(), it.height.toInt(), it.pixels) }
    }

    override val isClosed: Boolean get() = screen.isClosed()

    override suspend fun pointer(x: Int, y: Int, buttons: Int) =
        mapped { screen.pointer(x.coerceIn(0, 65535).toUShort(), y.coerceIn(0, 65535).toUShort(), buttons.toUByte()) }

    override suspend fun key(keysym: Int, down: Boolean) = mapped { screen.key(keysym.toUInt(), down) }

    override suspend fun show(width: Int, height: Int) =
        mapped { screen.show(width.coerceIn(1, 65535).toUShort(), height.coerceIn(1, 65535).toUShort()) }

    override suspend fun monitors(): Monitors? = withContext(Dispatchers.Default) {
        screen.monitors()?.let { m ->
            Monitors(m.monitors.map { Monitor(it.name, it.width.toInt(), it.height.toInt(), it.primary) }, m.shown?.toInt())
        }
    }

    override suspend fun showMonitor(index: Int?) = mapped { screen.showMonitor(index?.coerceIn(0, 255)?.toUByte()) }

    override fun close() {
        screen.stop()
        screen.close()
    }
}

internal class BindingsShell(private val shell: TandemShell) : ShellStream {
    override suspend fun write(bytes: ByteArray) = mapped { shell.write(bytes) }

    override suspend fun resize(cols: Int, rows: Int) =
        mapped { shell.resize(cols.coerceIn(1, 65535).toUShort(), rows.coerceIn(1, 65535).toUShort()) }

    override suspend fun read(): ByteArray? = shell.read()

    override fun close() = shell.close()
}
