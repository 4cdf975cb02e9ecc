package app.tandem.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.material3.Button
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.PrimaryTabRow
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Switch
import androidx.compose.material3.Tab
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.clearAndSetSemantics
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import app.tandem.console.api.Os
import app.tandem.presenters.HomePresenter
import app.tandem.presenters.shown

/**
 * Home, phone first: the technician and their presence in the top bar (S3, S4; sign-out in its
 * menu), then Sessions (invitations, their sessions, held ones, the queues) and Jump (J1), and a
 * button for a new customer's session key.
 */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun HomeScreen(presenter: HomePresenter, linked: Long? = null, onSignedOut: () -> Unit = {}, onTwoStep: () -> Unit = {}, open: (Long) -> Unit) {
    val state by presenter.state.collectAsState()
    var tab by remember { mutableStateOf(0) }
    var menu by remember { mutableStateOf(false) }
    LaunchedEffect(state.open) { state.open?.let { presenter.opened(); open(it) } }
    LaunchedEffect(state.signedOut) { if (state.signedOut) onSignedOut() }
    Box(Modifier.fillMaxSize()) {
        Scaffold(
            topBar = {
                TopAppBar(
                    title = { Text(state.me, Modifier.testTag("identity"), maxLines = 1) },
                    actions = {
                        Box {
                            TextButton(onClick = { menu = true }, Modifier.testTag("account").semantics { contentDescription = "Account menu" }) {
                                Text("⋮", style = MaterialTheme.typography.titleLarge)
                            }
                            DropdownMenu(expanded = menu, onDismissRequest = { menu = false }) {
                                DropdownMenuItem(
                                    text = { Text("Extended availability") },
                                    trailingIcon = { Switch(checked = state.extendedAvailability, onCheckedChange = null) },
                                    onClick = { presenter.setExtendedAvailability(!state.extendedAvailability) },
                                    modifier = Modifier.testTag("extended"),
                                )
                                DropdownMenuItem(text = { Text("Two-step sign-in") }, onClick = { menu = false; onTwoStep() }, modifier = Modifier.testTag("two-step"))
                                DropdownMenuItem(text = { Text("Sign out") }, onClick = { menu = false; presenter.signOut() }, modifier = Modifier.testTag("sign-out"))
                            }
                        }
                    },
                )
            },
            floatingActionButton = {
                ExtendedFloatingActionButton(onClick = presenter::newSessionKey, Modifier.testTag("new-key")) { Text("Session key") }
            },
        ) { padding ->
            Column(Modifier.fillMaxSize().padding(padding)) {
                // Presence (S3, S4) and the connection under the bar, where they can wrap at any font size.
                Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 4.dp), verticalAlignment = Alignment.CenterVertically) {
                    Text(state.presence, Modifier.weight(1f).testTag("presence"), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
                    Text(state.connection, Modifier.weight(1f).testTag("connection"), style = MaterialTheme.typography.labelMedium,
                        color = if (state.online) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error)
                }
                Problem(state.message, presenter::dismissMessage)
                PrimaryTabRow(selectedTabIndex = tab) {
                    Tab(selected = tab == 0, onClick = { tab = 0 }, text = { Text("Sessions") }, modifier = Modifier.testTag("tab-sessions"))
                    Tab(selected = tab == 1, onClick = { tab = 1 }, text = { Text("Jump (${state.jumpCount})") }, modifier = Modifier.testTag("tab-jump"))
                }
                when (tab) {
                    0 -> SessionsTab(presenter, state, linked, open)
                    else -> JumpTab(presenter, state)
                }
            }
        }
        state.keySheet?.let { SessionKeyPanel(presenter, it) }
    }
}

@Composable
private fun SessionsTab(presenter: HomePresenter, state: HomePresenter.State, linked: Long?, open: (Long) -> Unit) {
    val nothing = state.invitations.isEmpty() && state.mine.isEmpty() && state.held.isEmpty() && state.queues.isEmpty()
    if (nothing) {
        Empty("No sessions yet", "Give a customer a session key: they join your queue and appear here.")
        return
    }
    LazyColumn(Modifier.fillMaxSize().testTag("sessions")) {
        if (state.invitations.isNotEmpty()) item { Heading("Invitations") }
        // The invitation an App Link pointed at comes first.
        state.invitations.sortedByDescending { it.invitation == linked }.forEach { inv ->
            item(key = "i${inv.invitation}") {
                Row(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp).testTag("invitation-${inv.invitation}"), verticalAlignment = Alignment.CenterVertically) {
                    Column(Modifier.weight(1f)) {
                        Text(inv.title)
                        Text(inv.detail + if (inv.invitation == linked) " · from your link" else "", style = MaterialTheme.typography.bodySmall)
                    }
                    if (inv.invitation in state.busy) Working() else {
                        Column {
                            Button(onClick = { presenter.accept(inv.invitation) }) { Text("Accept") }
                            OutlinedButton(onClick = { presenter.decline(inv.invitation) }) { Text("Decline") }
                        }
                    }
                }
            }
        }
        item { Heading("My sessions") }
        if (state.mine.isEmpty()) item { Text("None open", Modifier.padding(16.dp), style = MaterialTheme.typography.bodyMedium) }
        state.mine.forEach { row ->
            item(key = "m${row.session}") {
                SessionRow(row, Modifier.clickable(onClickLabel = "Open") { open(row.session) }.testTag("mine-${row.session}"))
            }
        }
        if (state.held.isNotEmpty()) item { Heading("On hold") }
        state.held.forEach { row ->
            item(key = "h${row.session}") {
                SessionRow(row, Modifier.testTag("held-${row.session}")) {
                    if (row.session in state.busy) Working() else Button(onClick = { presenter.resume(row.session) }) { Text("Resume") }
                }
            }
        }
        state.queues.forEachIndexed { index, q ->
            item(key = "q$index") { Heading(q.name) }
            q.sessions.forEach { row ->
                item(key = "s${row.session}") {
                    SessionRow(row, Modifier.testTag("queued-${row.session}")) {
                        if (row.session in state.busy) Working() else Button(onClick = { presenter.take(row.session) }) { Text("Take") }
                    }
                }
            }
        }
        // Room for the floating button over the last row.
        item { Box(Modifier.heightIn(min = 88.dp)) }
    }
}

@Composable
private fun JumpTab(presenter: HomePresenter, state: HomePresenter.State) {
    Column(Modifier.fillMaxSize()) {
        if (state.jumpCount == 0) {
            Empty("No jump clients", "Pin a jump client from a session's menu (Pin Jump Client) to reach that computer later without anyone there.")
            return
        }
        OutlinedTextField(
            state.jumpQuery, presenter::searchJump,
            Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp).testTag("jump-search"),
            singleLine = true, label = { Text("Search jump clients") },
        )
        if (state.jump.isEmpty()) {
            Empty("Nothing matches", "No jump client or jump group is called “${state.jumpQuery}”.")
            return
        }
        LazyColumn(Modifier.fillMaxSize().testTag("jump-list")) {
            state.jump.forEachIndexed { index, group ->
                item(key = "g$index") { Heading(group.name) }
                group.clients.forEach { c ->
                    item(key = "j${c.jumpClient}") {
                        Row(Modifier.fillMaxWidth().heightIn(min = 56.dp).padding(horizontal = 16.dp, vertical = 4.dp).testTag("jump-${c.jumpClient}"), verticalAlignment = Alignment.CenterVertically) {
                            OsBadge(c.os)
                            Column(Modifier.weight(1f).padding(start = 12.dp)) {
                                Text(c.name, maxLines = 2, overflow = TextOverflow.Ellipsis)
                                Text(c.detail, style = MaterialTheme.typography.bodySmall)
                            }
                            if (c.jumpClient in state.busy) Working() else Button(onClick = { presenter.jump(c.jumpClient) }) { Text("Jump") }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun SessionKeyPanel(presenter: HomePresenter, sheet: HomePresenter.KeySheet) {
    val platform = LocalPlatform.current
    Panel("Session key", presenter::closeSessionKey, "key-sheet") {
        val key = sheet.key
        if (key == null) {
            Text("The customer joins this queue with the key:", style = MaterialTheme.typography.bodyMedium)
            sheet.queues.forEach { q ->
                Row(
                    Modifier.fillMaxWidth().heightIn(min = 48.dp).clickable(role = Role.RadioButton) { presenter.chooseKeyQueue(q.team) }.testTag("key-queue-${q.team ?: "mine"}"),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    androidx.compose.material3.RadioButton(selected = sheet.team == q.team, onClick = null)
                    Text(q.name, Modifier.padding(start = 8.dp))
                }
            }
            Row {
                TextButton(onClick = presenter::closeSessionKey) { Text("Cancel") }
                if (sheet.working) Working() else Button(onClick = presenter::makeSessionKey, Modifier.testTag("make-key")) { Text("Make key") }
            }
        } else {
            Text(key.key, Modifier.testTag("key"), style = MaterialTheme.typography.headlineMedium)
            Text("Works once, until ${sheet.expires}.", style = MaterialTheme.typography.bodyMedium)
            Text(key.url, Modifier.testTag("key-link"), style = MaterialTheme.typography.bodySmall)
            Row {
                Button(onClick = { platform.share(sheet.message ?: key.url) }, Modifier.testTag("share-key")) { Text("Share") }
                OutlinedButton(onClick = { platform.copy(sheet.message ?: key.url) }, Modifier.padding(start = 8.dp).testTag("copy-key")) { Text("Copy") }
                TextButton(onClick = presenter::closeSessionKey) { Text("Done") }
            }
        }
    }
}

@Composable
private fun SessionRow(row: HomePresenter.Row, modifier: Modifier = Modifier, action: (@Composable () -> Unit)? = null) {
    Row(modifier.fillMaxWidth().heightIn(min = 56.dp).padding(horizontal = 16.dp, vertical = 4.dp), verticalAlignment = Alignment.CenterVertically) {
        row.os?.let { OsBadge(it) }
        Column(Modifier.weight(1f).padding(start = 12.dp)) {
            Text(row.title, maxLines = 2, overflow = TextOverflow.Ellipsis)
            Text(row.detail, style = MaterialTheme.typography.bodySmall)
        }
        action?.invoke()
    }
}

/** The computer's system as a round badge with its initial, read aloud by name. */
@Composable
fun OsBadge(os: Os) {
    val letter = when (os) {
        Os.WINDOWS -> "W"
        Os.MACOS -> "M"
        Os.LINUX -> "L"
        Os.OTHER -> "?"
    }
    Box(
        // At least 40 dp, and larger with a larger font, so the letter is never cut.
        Modifier.sizeIn(minWidth = 40.dp, minHeight = 40.dp).clip(CircleShape).background(MaterialTheme.colorScheme.secondaryContainer).padding(6.dp)
            .clearAndSetSemantics { contentDescription = os.shown },
        contentAlignment = Alignment.Center,
    ) { Text(letter, color = MaterialTheme.colorScheme.onSecondaryContainer, style = MaterialTheme.typography.titleMedium) }
}

@Composable
private fun Empty(title: String, text: String) = Column(Modifier.fillMaxWidth().padding(32.dp).testTag("empty"), horizontalAlignment = Alignment.CenterHorizontally) {
    Text(title, style = MaterialTheme.typography.titleMedium)
    Text(text, Modifier.padding(top = 8.dp), style = MaterialTheme.typography.bodyMedium)
}

@Composable
private fun Heading(text: String) = Column {
    Text(text, Modifier.padding(start = 16.dp, top = 16.dp, bottom = 4.dp).semantics { heading() }, style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.primary)
    HorizontalDivider()
}
