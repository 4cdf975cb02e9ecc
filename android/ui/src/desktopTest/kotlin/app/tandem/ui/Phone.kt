package app.tandem.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.isRoot
import androidx.compose.ui.test.v2.runSkikoComposeUiTest
import androidx.compose.ui.text.TextLayoutResult
import androidx.compose.ui.unit.Density
import java.io.File
import javax.imageio.ImageIO
import org.junit.Assert.assertTrue

/** A phone-shaped test window: 412x915 dp portrait (915x412 landscape), 1 px per dp, at [fontScale]. */
@OptIn(ExperimentalTestApi::class)
fun onPhone(landscape: Boolean = false, fontScale: Float = 1f, block: suspend SkikoComposeUiTest.() -> Unit) {
    val size = if (landscape) Size(915f, 412f) else Size(412f, 915f)
    runSkikoComposeUiTest(size = size, density = Density(1f, fontScale), block = block)
}

/** A tablet-shaped test window: 1280x800 dp landscape, 1 px per dp. */
@OptIn(ExperimentalTestApi::class)
fun onTablet(block: suspend SkikoComposeUiTest.() -> Unit) = runSkikoComposeUiTest(size = Size(1280f, 800f), density = Density(1f), block = block)

/** The app's theme, light or dark, and the desktop platform, around [content]. */
@Composable
fun Themed(platform: Platform, dark: Boolean, content: @Composable () -> Unit) =
    CompositionLocalProvider(LocalPlatform provides platform) { TandemTheme(dark = dark, content = content) }

/** Saves what the window shows as `<name>.png` in target/android-jvm/screenshots (when run by run-tests). */
@OptIn(ExperimentalTestApi::class)
fun SkikoComposeUiTest.screenshot(name: String) {
    waitForIdle()
    val dir = System.getProperty("tandem.screenshots") ?: return
    // The whole scene, popups (menus) included.
    ImageIO.write(captureToImage().toAwtImage(), "png", File(dir, "$name.png"))
}

/**
 * What TalkBack and a large font need, checked on the semantics tree of what is shown: every
 * control says what it does (a text or a content description), every control's touch area is at
 * least 48 dp square, and no text is cut off: none overflows its own layout, none runs past the
 * window's edge. Returns how many controls and texts were checked, so a test can tell it looked.
 */
@OptIn(ExperimentalTestApi::class)
fun SkikoComposeUiTest.assertAccessible(what: String): Pair<Int, Int> {
    waitForIdle()
    // The window's root first; a popup (a menu) is a root of its own.
    val width = onAllNodes(isRoot()).fetchSemanticsNodes().maxOf { it.boundsInRoot.width }
    val problems = mutableListOf<String>()
    // What is on screen: a control scrolled out of its row (an empty box) is not checked until shown.
    val controls = onAllNodes(hasClickAction()).fetchSemanticsNodes().filter { !it.boundsInRoot.isEmpty }
    for (node in controls) {
        val label = node.label()
        if (label.isBlank()) problems += "a control without a label at ${node.boundsInRoot}"
        val touch = node.touchBoundsInRoot
        if (touch.width < 48f - 0.5f || touch.height < 48f - 0.5f) problems += "“$label”: touch area ${touch.width.toInt()}x${touch.height.toInt()} dp"
    }
    val texts = onAllNodes(SemanticsMatcher("shows text") { it.config.getOrNull(SemanticsActions.GetTextLayoutResult) != null }, useUnmergedTree = true)
        .fetchSemanticsNodes().filter { !it.boundsInRoot.isEmpty }
    for (node in texts) {
        val layouts = mutableListOf<TextLayoutResult>()
        node.config.getOrNull(SemanticsActions.GetTextLayoutResult)?.action?.invoke(layouts)
        val text = node.config.getOrNull(SemanticsProperties.Text)?.joinToString { it.text } ?: node.config.getOrNull(SemanticsProperties.EditableText)?.text ?: ""
        // Cut off: lines that do not fit the height given, or a line ended with "…". Material's
        // single-line text field rounds its inner box down by a pixel at double font size (47 dp
        // for a 48 dp line): a pixel is not a cut-off word, more is.
        layouts.firstOrNull { l -> l.multiParagraph.didExceedMaxLines || l.multiParagraph.height - l.size.height > 1f || (0 until l.lineCount).any { l.isLineEllipsized(it) } }?.let {
            problems += "“$text” is cut off (${it.size.width}x${it.size.height} dp for ${it.lineCount} lines of ${it.multiParagraph.height.toInt()} dp)"
        }
        if (node.boundsInRoot.right > width + 0.5f) problems += "“$text” runs past the window's edge (${node.boundsInRoot.right.toInt()} > ${width.toInt()})"
    }
    assertTrue("$what: ${problems.distinct().joinToString("; ")}", problems.isEmpty())
    return controls.size to texts.size
}

private fun SemanticsNode.label(): String = listOfNotNull(
    config.getOrNull(SemanticsProperties.ContentDescription)?.joinToString(),
    config.getOrNull(SemanticsProperties.Text)?.joinToString { it.text },
    config.getOrNull(SemanticsProperties.EditableText)?.text,
    config.getOrNull(SemanticsActions.OnClick)?.label,
).joinToString(" ")
