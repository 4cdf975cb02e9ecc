package app.tandem.ui

import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asComposeImageBitmap
import app.tandem.console.api.Frame
import org.jetbrains.skia.Bitmap
import org.jetbrains.skia.ColorAlphaType
import org.jetbrains.skia.ColorType
import org.jetbrains.skia.ImageInfo

/** The desktop JVM's platform, for Compose UI tests: frames through Skia, copies and shares recorded. */
class DesktopPlatform : Platform {
    val copied = mutableListOf<String>()
    val shared = mutableListOf<String>()

    override fun image(frame: Frame): ImageBitmap {
        // The frame's bytes are B G R A: Skia's BGRA_8888.
        val bitmap = Bitmap()
        bitmap.allocPixels(ImageInfo(frame.width, frame.height, ColorType.BGRA_8888, ColorAlphaType.OPAQUE))
        bitmap.installPixels(frame.pixels)
        return bitmap.asComposeImageBitmap()
    }

    override fun copy(text: String) {
        copied += text
    }

    override fun share(text: String) {
        shared += text
    }

    /** The desktop tests have no Back gesture. */
    @Composable
    override fun BackHandler(enabled: Boolean, onBack: () -> Unit) = Unit
}
