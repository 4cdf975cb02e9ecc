package app.tandem.ui

import android.content.ClipboardManager
import android.content.Intent
import android.graphics.Color
import androidx.compose.ui.graphics.asAndroidBitmap
import androidx.test.core.app.ApplicationProvider
import app.tandem.TandemApplication
import app.tandem.console.api.Frame
import org.junit.Assert.assertEquals
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf

/** Android's side of the screens' Platform on the real framework: frames, the clipboard, the share sheet. */
@RunWith(RobolectricTestRunner::class)
class AndroidPlatformTest {
    private val app = ApplicationProvider.getApplicationContext<TandemApplication>()
    private val platform = AndroidPlatform(app)

    @Test
    fun aFrameOfBlueGreenRedAlphaBytesShowsItsColours() {
        // Two pixels as the customer client sends them (B G R A): pure red, then pure blue.
        val frame = Frame(1, 2, 1, byteArrayOf(0, 0, 255.toByte(), 255.toByte(), 255.toByte(), 0, 0, 255.toByte()))
        val bitmap = platform.image(frame).asAndroidBitmap()
        assertEquals(2, bitmap.width)
        assertEquals(Color.RED, bitmap.getPixel(0, 0))
        assertEquals(Color.BLUE, bitmap.getPixel(1, 0))
    }

    @Test
    fun anInvitationLinkCanBeCopiedAndShared() {
        platform.copy("https://support.example.com/join/abc")
        val clip = app.getSystemService(ClipboardManager::class.java).primaryClip!!
        assertEquals("https://support.example.com/join/abc", clip.getItemAt(0).text)

        platform.share("https://support.example.com/join/abc")
        val chooser = shadowOf(app).nextStartedActivity
        assertEquals(Intent.ACTION_CHOOSER, chooser.action)
        @Suppress("DEPRECATION") // getParcelableExtra(String, Class) needs API 33; minSdk is 26.
        val send = chooser.getParcelableExtra<Intent>(Intent.EXTRA_INTENT)!!
        assertEquals("https://support.example.com/join/abc", send.getStringExtra(Intent.EXTRA_TEXT))
    }
}
