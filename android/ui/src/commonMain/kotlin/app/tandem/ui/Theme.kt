package app.tandem.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

private val light = lightColorScheme(
    primary = Color(0xFF1B5E7A),
    secondary = Color(0xFF4A6572),
    tertiary = Color(0xFF7A4E1B),
)

// The same hues lightened for dark backgrounds (Material's tone 80 of each).
private val dark = darkColorScheme(
    primary = Color(0xFF8ECFEE),
    secondary = Color(0xFFB1CAD6),
    tertiary = Color(0xFFF0BD8A),
)

/** Light or dark as the phone is set, with every screen on the theme's background. */
@Composable
fun TandemTheme(dark: Boolean = isSystemInDarkTheme(), content: @Composable () -> Unit) =
    MaterialTheme(colorScheme = if (dark) app.tandem.ui.dark else light) { Surface(content = content) }
