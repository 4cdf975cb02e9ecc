package app.tandem.ui

import androidx.compose.foundation.Image
import androidx.compose.foundation.gestures.detectTapGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.fillMaxHeight
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Tab
import androidx.compose.material3.PrimaryTabRow
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.VerticalDivider
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.layout.onSizeChanged
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import app.tandem.console.api.ActionKind
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import app.tandem.console.api.Console
import app.tandem.console.api.ScreenShare
import app.tandem.presenters.MenuItem
import app.tandem.presenters.ScreenPresenter
import app.tandem.presenters.SessionPresenter
import app.tandem.presenters.ShellPresenter
import app.tandem.presenters.SpecialKey
import androidx.compose.foundation.gestures.detectTransformGestures
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.layout.width
import androidx.compose.ui.draw.clipToBounds
import androidx.compose.ui.graphics.graphicsLayer
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics

/** One session: chat, screen, shell and customer information, with the flyout menu. */
@Composable
fun SessionScreen(presenter: SessionPresenter, console: Console, onBack: () -> Unit) {
    val state by presenter.state.collectAsState()
    val flyout by presenter.flyout.state.collectAsState()
    var menuOpen by remember { mutableStateOf(false) }
    var tab by remember { mutableStateOf(SessionTab.CHAT) }
    // The shell lives as long as the session screen, so switching tabs keeps its transcript. The
    // screen stream, by contrast, runs only while its tab shows (no data spent on hidden frames).
    val scope = rememberCoroutineScope()
    val shell = remember(presenter.session) { ShellPresenter(console, presenter.session, scope) }
    DisposableEffect(state.shell) {
        if (state.shell) shell.open()
        onDispose { shell.close() }
    }
    if (state.gone) {
        Column(Modifier.fillMaxSize().padding(24.dp)) {
            Text("This session is closed for you.")
            Button(onClick = onBack) { Text("Back") }
        }
        return
    }
    BoxWithConstraints(Modifier.fillMaxSize()) {
        // A tablet (expanded width, and tall enough): the chat stays beside the screen, shell or
        // information. A phone in landscape (short): the tabs share the title's row, so that the
        // customer's screen keeps the height.
        val wide = maxWidth >= 840.dp && maxHeight >= 480.dp
        val short = maxHeight < 480.dp
        val tabs = if (wide) SessionTab.entries - SessionTab.CHAT else SessionTab.entries
        val shown = if (wide && tab == SessionTab.CHAT) SessionTab.SCREEN else tab
        val tabRow = @Composable { modifier: Modifier ->
            PrimaryTabRow(selectedTabIndex = tabs.indexOf(shown), modifier = modifier) {
                tabs.forEach { t -> Tab(selected = shown == t, onClick = { tab = t }, text = { Text(t.label) }) }
            }
        }
        Column(Modifier.fillMaxSize()) {
            Row(Modifier.fillMaxWidth().padding(if (short) 0.dp else 8.dp), verticalAlignment = Alignment.CenterVertically) {
                TextButton(onClick = onBack, Modifier.semantics { contentDescription = "Back to home" }.testTag("back")) { Text("‹", style = MaterialTheme.typography.titleLarge) }
                Column(if (short) Modifier.widthIn(max = 200.dp) else Modifier.weight(1f)) {
                    Text(state.customer, style = MaterialTheme.typography.titleMedium)
                    if (!short) Text(state.detail, style = MaterialTheme.typography.bodySmall)
                }
                if (short) tabRow(Modifier.weight(1f))
                if (state.working || flyout.working) Working()
                TextButton(onClick = { menuOpen = true }, modifier = Modifier.testTag("menu").semantics { contentDescription = "Session menu" }) { Text("⋮", style = MaterialTheme.typography.titleLarge) }
            }
            Problem(state.message ?: flyout.message) { presenter.dismissMessage(); presenter.flyout.dismissMessage() }
            flyout.done?.let { Text(it, Modifier.padding(horizontal = 12.dp).testTag("done"), color = MaterialTheme.colorScheme.primary) }
            if (!short) tabRow(Modifier)
            Row(Modifier.weight(1f)) {
                Box(Modifier.weight(1f).fillMaxHeight()) {
                    when (shown) {
                        SessionTab.CHAT -> ChatTab(presenter)
                        SessionTab.SCREEN -> ScreenTab(presenter, console)
                        SessionTab.SHELL -> ShellTab(presenter, shell)
                        SessionTab.INFO -> InfoTab(presenter)
                    }
                }
                if (wide) {
                    VerticalDivider()
                    Column(Modifier.width(360.dp).fillMaxHeight().testTag("chat-pane")) {
                        Text("Chat", Modifier.padding(start = 16.dp, top = 12.dp), style = MaterialTheme.typography.titleSmall)
                        ChatTab(presenter)
                    }
                }
            }
        }
        if (menuOpen) FlyoutMenu(flyout.items, onChoose = { menuOpen = false; presenter.flyout.choose(it) }, onDismiss = { menuOpen = false })
        flyout.dialog?.let { FlyoutDialog(it, presenter.flyout, flyout.working) }
    }
}

/** The session's tabs; on a tablet the chat is a pane of its own instead. */
private enum class SessionTab(val label: String) { CHAT("Chat"), SCREEN("Screen"), SHELL("Shell"), INFO("Info") }

@Composable
private fun ChatTab(presenter: SessionPresenter) {
    val state by presenter.state.collectAsState()
    Column(Modifier.fillMaxSize()) {
        LazyColumn(Modifier.weight(1f).fillMaxWidth().padding(8.dp)) {
            items(state.chat, key = { it.seq }) { line ->
                Column(Modifier.fillMaxWidth().padding(4.dp), horizontalAlignment = if (line.mine) Alignment.End else Alignment.Start) {
                    Text(line.who, style = MaterialTheme.typography.labelSmall)
                    Text(line.text)
                }
            }
        }
        Row(Modifier.fillMaxWidth().padding(8.dp), verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(state.draft, presenter::editDraft, Modifier.weight(1f).testTag("chat-input"), enabled = state.chatEnabled,
                placeholder = { Text(if (state.chatEnabled) "Message" else "Chat is off") })
            Button(onClick = presenter::send, enabled = state.chatEnabled && state.draft.isNotBlank()) { Text("Send") }
        }
    }
}

/** A tool's button, greyed with the engine's reason like the menu; [quiet]: not shown at all when greyed. */
@Composable
private fun Tool(tools: List<MenuItem>, kind: ActionKind, onClick: () -> Unit, quiet: Boolean = false) {
    val item = tools.firstOrNull { it.action == kind } ?: return
    if (quiet && !item.enabled) return
    Column {
        OutlinedButton(onClick = onClick, enabled = item.enabled) { Text(item.label) }
        // A local copy: `reason` is declared in another module, where a smart cast is not allowed.
        val reason = item.reason
        if (!item.enabled && reason != null) Text(reason, style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun ScreenTab(presenter: SessionPresenter, console: Console) {
    val state by presenter.state.collectAsState()
    val scope = rememberCoroutineScope()
    val screen = remember(presenter.session) { ScreenPresenter(console, presenter.session, scope) }
    val frame by screen.frame.collectAsState()
    val error by screen.error.collectAsState()
    val platform = LocalPlatform.current
    DisposableEffect(state.screen) {
        if (state.screen != ScreenShare.OFF) screen.open()
        onDispose { screen.close() }
    }
    // Before sharing, the tools head the tab with the engine's reasons for what is greyed; while
    // sharing, what can be done shares one bottom row with the keys, so the screen keeps the height.
    val tools = @Composable { quiet: Boolean ->
        if (state.screen == ScreenShare.OFF) {
            Tool(state.tools, ActionKind.VIEW_SCREEN, presenter::viewScreen)
            Tool(state.tools, ActionKind.CONTROL_SCREEN, presenter::controlScreen)
        } else {
            OutlinedButton(onClick = presenter::stopScreen) { Text("Stop sharing") }
            if (state.screen == ScreenShare.VIEW) Tool(state.tools, ActionKind.CONTROL_SCREEN, presenter::controlScreen, quiet)
        }
        Tool(state.tools, ActionKind.UPGRADE_TO_FULL_CLIENT, presenter::upgrade, quiet)
    }
    // The screen is shown within about this tab's size: the customer's computer sends it at that
    // size, known before the first picture so that one is not sent at the desktop's full size.
    Column(Modifier.fillMaxSize().padding(8.dp).onSizeChanged { screen.viewSize(it.width, it.height) }, verticalArrangement = Arrangement.spacedBy(8.dp)) {
        if (state.screen == ScreenShare.OFF) Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) { tools(false) }
        error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        // Frames become images off the main thread (an 8 MB copy at 1080p); the last image
        // stays up until the next is ready.
        val image by produceState<ImageBitmap?>(null, frame?.seq) {
            val f = frame ?: return@produceState
            value = withContext(Dispatchers.Default) { platform.image(f) }
        }
        val shown = image
        val view by screen.view.collectAsState()
        val control = state.screen == ScreenShare.CONTROL
        if (state.screen != ScreenShare.OFF && shown != null) {
            // Pinch to zoom and drag to pan; under control a tap clicks and a long press right-clicks where the finger is.
            Box(
                Modifier.weight(1f).fillMaxWidth().clipToBounds().testTag("screen")
                    .semantics { contentDescription = if (control) "The customer's screen: tap to click, long-press to right-click, pinch to zoom" else "The customer's screen: pinch to zoom" }
                    .pointerInput(Unit) {
                        detectTransformGestures { centroid, pan, zoom, _ ->
                            screen.transform(centroid.x, centroid.y, pan.x, pan.y, zoom, size.width.toFloat(), size.height.toFloat())
                        }
                    }
                    .pointerInput(control) {
                        if (control) {
                            detectTapGestures(
                                onTap = { p -> screen.tap(p.x, p.y, size.width.toFloat(), size.height.toFloat()) },
                                onLongPress = { p -> screen.longPress(p.x, p.y, size.width.toFloat(), size.height.toFloat()) },
                                onDoubleTap = { screen.resetView() },
                            )
                        }
                    },
            ) {
                Image(
                    shown, null,
                    Modifier.fillMaxSize().graphicsLayer { scaleX = view.zoom; scaleY = view.zoom; translationX = view.panX; translationY = view.panY },
                    contentScale = ContentScale.Fit,
                )
            }
            Row(Modifier.fillMaxWidth().horizontalScroll(rememberScrollState()).testTag("screen-bar"), verticalAlignment = Alignment.CenterVertically,
                horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                MonitorPicker(screen)
                tools(true)
                if (control) RemoteKeys(screen)
            }
        } else if (state.screen != ScreenShare.OFF) {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) { tools(true) }
            Row(verticalAlignment = Alignment.CenterVertically) { Working(); Text("  Waiting for the customer's screen…") }
        }
    }
}

/** From two monitors on: see one alone (a desktop of two is unreadable on a phone) or all of them. */
@Composable
private fun MonitorPicker(screen: ScreenPresenter) {
    val listed by screen.monitors.collectAsState()
    val monitors = listed?.takeIf { it.monitors.size >= 2 } ?: return
    FilterChip(monitors.shown == null, { screen.pickMonitor(null) }, { Text("All screens") }, Modifier.testTag("monitor-all"))
    monitors.monitors.forEachIndexed { i, m ->
        FilterChip(
            monitors.shown == i, { screen.pickMonitor(i) },
            { Text("${i + 1}${if (m.primary) " (main)" else ""}") },
            Modifier.testTag("monitor-$i").semantics { contentDescription = "Screen ${i + 1}, ${m.name}, ${m.width} by ${m.height}" },
        )
    }
}

/** The keyboard for the remote screen, in the screen's bottom row: text typed on the phone's keyboard, and the keys it lacks. */
@Composable
private fun RemoteKeys(screen: ScreenPresenter) {
    var text by remember { mutableStateOf("") }
    OutlinedTextField(text, { text = it }, Modifier.width(200.dp).testTag("remote-type"), singleLine = true, placeholder = { Text("Type…") })
    Button(onClick = { screen.type(text); text = "" }, enabled = text.isNotEmpty(), modifier = Modifier.testTag("remote-send")) { Text("Send") }
    SpecialKeys(SpecialKey.screen, "screen-keys", scrolls = false) { screen.press(it) }
}

/** A scrolling row of keys a phone keyboard lacks, each at least 48 dp and named for TalkBack. */
@Composable
fun SpecialKeys(keys: List<SpecialKey>, tag: String, scrolls: Boolean = true, onPress: (SpecialKey) -> Unit) {
    val row = if (scrolls) Modifier.fillMaxWidth().horizontalScroll(rememberScrollState()) else Modifier
    Row(row.testTag(tag), horizontalArrangement = Arrangement.spacedBy(4.dp)) {
        keys.forEach { key ->
            OutlinedButton(
                onClick = { onPress(key) },
                modifier = Modifier.heightIn(min = 48.dp).widthIn(min = 48.dp).semantics { contentDescription = key.spoken }.testTag("key-${key.name}"),
                contentPadding = PaddingValues(horizontal = 10.dp),
            ) { Text(key.label) }
        }
    }
}

@Composable
private fun ShellTab(presenter: SessionPresenter, shell: ShellPresenter) {
    val state by presenter.state.collectAsState()
    val s by shell.state.collectAsState()
    Column(Modifier.fillMaxSize().padding(8.dp)) {
        if (!state.shell) Tool(state.tools, ActionKind.COMMAND_SHELL, presenter::openShell)
        s.message?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Text(s.transcript, Modifier.weight(1f).fillMaxWidth().verticalScroll(rememberScrollState()).testTag("transcript"), fontFamily = FontFamily.Monospace)
        if (s.open) SpecialKeys(SpecialKey.shell, "shell-keys") { shell.press(it) }
        Row(verticalAlignment = Alignment.CenterVertically) {
            OutlinedTextField(s.input, shell::edit, Modifier.weight(1f).testTag("shell-input"), enabled = s.open, singleLine = true, label = { Text("Command") },
                textStyle = MaterialTheme.typography.bodyMedium.copy(fontFamily = FontFamily.Monospace))
            Button(onClick = shell::send, enabled = s.open) { Text("Run") }
        }
    }
}

@Composable
private fun InfoTab(presenter: SessionPresenter) {
    val state by presenter.state.collectAsState()
    Column(Modifier.fillMaxSize().padding(12.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Tool(state.tools, ActionKind.SYSTEM_INFO, presenter::systemInfo)
        state.systemInfo?.let { i ->
            listOf("Computer" to i.host, "User" to i.user, "System" to "${i.os} (${i.kernel})", "CPU" to "${i.cpu} × ${i.cpuCount}",
                "Memory" to "${i.memoryUsedMib} of ${i.memoryTotalMib} MiB in use").forEach { (k, v) ->
                Row { Text("$k: ", style = MaterialTheme.typography.labelLarge); Text(v) }
            }
            Text("Disks", style = MaterialTheme.typography.titleSmall)
            i.disks.forEach { Text(it) }
            Text("Network", style = MaterialTheme.typography.titleSmall)
            i.interfaces.forEach { Text(it) }
        }
    }
}
