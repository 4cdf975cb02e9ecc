package app.tandem.presenters

import app.tandem.console.api.ShellStream
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.update

/** A customer's shell for tests: what was written to it, and output to give. */
class FakeShell : ShellStream {
    val written = MutableStateFlow<List<String>>(emptyList())
    val output = Channel<ByteArray>(Channel.UNLIMITED)

    override suspend fun write(bytes: ByteArray) = written.update { it + String(bytes) }
    override suspend fun resize(cols: Int, rows: Int) = Unit
    override suspend fun read(): ByteArray? = output.receiveCatching().getOrNull()
    override fun close() {
        output.close()
    }
}
