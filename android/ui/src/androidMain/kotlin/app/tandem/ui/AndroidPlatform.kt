package app.tandem.ui

import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.graphics.Bitmap
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import app.tandem.console.api.Frame
import java.nio.ByteBuffer
import java.nio.ByteOrder

/** Android's side of [Platform]: frames become Bitmaps, links go to the clipboard or the share sheet. */
class AndroidPlatform(private val context: Context) : Platform {
    // B G R A bytes read as little-endian Ints are Android's 0xAARRGGBB colour ints. (A Bitmap's
    // own memory is R G B A, so the bytes cannot be copied in as they are.)
    override fun image(frame: Frame): ImageBitmap {
        val colours = IntArray(frame.width * frame.height)
        ByteBuffer.wrap(frame.pixels).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(colours)
        return Bitmap.createBitmap(colours, frame.width, frame.height, Bitmap.Config.ARGB_8888).asImageBitmap()
    }

    override fun copy(text: String) {
        val clipboard = context.getSystemService(ClipboardManager::class.java)
        clipboard.setPrimaryClip(ClipData.newPlainText("Tandem invitation", text))
    }

    override fun share(text: String) {
        val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
        context.startActivity(Intent.createChooser(send, "Send the invitation").addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
    }

    @Composable
    override fun BackHandler(enabled: Boolean, onBack: () -> Unit) = androidx.activity.compose.BackHandler(enabled, onBack)
}
