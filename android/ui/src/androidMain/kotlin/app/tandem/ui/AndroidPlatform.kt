package app.tandem.ui

import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.graphics.Bitmap
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import app.tandem.console.api.Frame
import java.nio.ByteBuffer

/** Android's side of [Platform]: frames become Bitmaps, links go to the clipboard or the share sheet. */
class AndroidPlatform(private val context: Context) : Platform {
    // B G R A bytes are ARGB_8888's memory on little-endian Android: copied as they are.
    override fun image(frame: Frame): ImageBitmap =
        Bitmap.createBitmap(frame.width, frame.height, Bitmap.Config.ARGB_8888)
            .apply { copyPixelsFromBuffer(ByteBuffer.wrap(frame.pixels)) }
            .asImageBitmap()

    override fun copy(text: String) {
        val clipboard = context.getSystemService(ClipboardManager::class.java)
        clipboard.setPrimaryClip(ClipData.newPlainText("Tandem invitation", text))
    }

    override fun share(text: String) {
        val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
        context.startActivity(Intent.createChooser(send, "Send the invitation").addFlags(Intent.FLAG_ACTIVITY_NEW_TASK))
    }
}
