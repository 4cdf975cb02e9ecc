package app.tandem.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.ImageBitmap
import app.tandem.console.api.Frame

/** What only the platform can do, given to the screens by the app (Android) or the tests (desktop). */
interface Platform {
    /** A frame of the customer's screen as an image (Android: a Bitmap; desktop: a Skia bitmap). */
    fun image(frame: Frame): ImageBitmap

    fun copy(text: String)

    /** Offer [text] to other apps (Android's share sheet). */
    fun share(text: String)

    /** The system Back gesture or button, while [enabled]. */
    @Composable
    fun BackHandler(enabled: Boolean, onBack: () -> Unit)
}

val LocalPlatform = staticCompositionLocalOf<Platform> { error("no Platform provided") }
