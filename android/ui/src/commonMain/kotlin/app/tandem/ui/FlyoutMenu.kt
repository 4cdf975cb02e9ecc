package app.tandem.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import app.tandem.presenters.MenuItem

/**
 * The session's flyout menu: every action of the rules engine, grouped; a greyed line shows
 * why it is not allowed (A3). Groups open in place.
 */
@Composable
fun FlyoutMenu(items: List<MenuItem>, onChoose: (MenuItem) -> Unit, onDismiss: () -> Unit) {
    var open by remember { mutableStateOf<String?>(null) }
    Box(Modifier.fillMaxSize().background(Color(0x44000000)).pointerInput(onDismiss) { detectTapGestures { onDismiss() } }, contentAlignment = Alignment.TopEnd) {
        Surface(Modifier.fillMaxHeight().width(300.dp).pointerInput(Unit) { detectTapGestures {} }.testTag("flyout"), tonalElevation = 4.dp) {
            Column(Modifier.verticalScroll(rememberScrollState()).padding(vertical = 8.dp)) {
                items.forEach { item ->
                    Line(item, indent = false) { if (item.children.isEmpty()) onChoose(item) else open = if (open == item.label) null else item.label }
                    if (open == item.label) item.children.forEach { child -> Line(child, indent = true) { onChoose(child) } }
                }
            }
        }
    }
}

@Composable
private fun Line(item: MenuItem, indent: Boolean, onClick: () -> Unit) {
    val colour = if (item.enabled) MaterialTheme.colorScheme.onSurface else MaterialTheme.colorScheme.onSurface.copy(alpha = 0.38f)
    Column(
        Modifier.fillMaxWidth()
            .clickable(enabled = item.enabled, onClick = onClick)
            .padding(start = if (indent) 32.dp else 16.dp, end = 16.dp, top = 10.dp, bottom = 10.dp)
            .testTag("menu:${item.label}")
            .semantics { contentDescription = if (item.enabled) item.label else "${item.label}, not available: ${item.reason}" },
    ) {
        Text(item.label + if (item.children.isNotEmpty()) "  ›" else "", color = colour)
        // A local copy: `reason` is declared in another module, where a smart cast is not allowed.
        val reason = item.reason
        if (!item.enabled && reason != null) {
            Text(reason, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant, modifier = Modifier.testTag("reason:${item.label}"))
        }
    }
}
