package app.tandem.presenters

import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CodingErrorAction

/**
 * Decodes a byte stream that arrives in chunks (shell output): a character split between two
 * chunks is kept until its last byte arrives, not turned into two replacement characters.
 */
class Utf8Stream {
    private val decoder = Charsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
    private var pending = ByteArray(0)

    fun decode(chunk: ByteArray): String {
        val input = ByteBuffer.wrap(pending + chunk)
        val out = CharBuffer.allocate(input.remaining() + 1)
        decoder.decode(input, out, false)
        pending = ByteArray(input.remaining()).also { input.get(it) }
        return out.flip().toString()
    }
}
