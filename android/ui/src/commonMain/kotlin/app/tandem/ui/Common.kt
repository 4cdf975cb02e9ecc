package app.tandem.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Card
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/** Progress wherever a person waits. */
@Composable
fun Working(modifier: Modifier = Modifier) = CircularProgressIndicator(modifier.size(20.dp).testTag("working"), strokeWidth = 2.dp)

/** A refusal or failure, in words, until dismissed. */
@Composable
fun Problem(message: String?, onDismiss: () -> Unit) {
    if (message == null) return
    Card(Modifier.fillMaxWidth().padding(8.dp).testTag("problem")) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
            Text(message, Modifier.weight(1f), color = MaterialTheme.colorScheme.error)
            TextButton(onClick = onDismiss) { Text("OK") }
        }
    }
}

/** A dialog drawn inside the screen over a scrim (not a separate window), so it behaves the same everywhere. */
@Composable
fun Panel(title: String, onDismiss: () -> Unit, tag: String, content: @Composable () -> Unit) {
    Box(
        // A plain tap handler, not `clickable`: that would merge the whole dialog into the scrim
        // for accessibility services.
        Modifier.fillMaxSize().background(Color(0x66000000)).pointerInput(onDismiss) { detectTapGestures { onDismiss() } },
        contentAlignment = Alignment.Center,
    ) {
        // Taps on the card itself must not reach the scrim behind it (which dismisses).
        Card(Modifier.fillMaxWidth().padding(16.dp).pointerInput(Unit) { detectTapGestures {} }.testTag(tag)) {
            Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(title, style = MaterialTheme.typography.titleLarge)
                content()
            }
        }
    }
}
