package app.tandem.ui

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color

private val colors = lightColorScheme(
    primary = Color(0xFF1B5E7A),
    secondary = Color(0xFF4A6572),
    tertiary = Color(0xFF7A4E1B),
)

@Composable
fun TandemTheme(content: @Composable () -> Unit) = MaterialTheme(colorScheme = colors, content = content)
