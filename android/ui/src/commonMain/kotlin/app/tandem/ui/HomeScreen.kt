package app.tandem.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import app.tandem.presenters.HomePresenter

/** Sessions, queues (personal and team, live) and incoming invitations. */
@Composable
fun HomeScreen(presenter: HomePresenter, linked: Long? = null, open: (Long) -> Unit) {
    val state by presenter.state.collectAsState()
    Column(Modifier.fillMaxSize()) {
        Text(state.connection, Modifier.padding(12.dp).testTag("connection"), style = MaterialTheme.typography.labelMedium,
            color = if (state.online) MaterialTheme.colorScheme.primary else MaterialTheme.colorScheme.error)
        Problem(state.message, presenter::dismissMessage)
        LazyColumn(Modifier.fillMaxSize()) {
            if (state.invitations.isNotEmpty()) item { Heading("Invitations") }
            // The invitation an App Link pointed at comes first.
            state.invitations.sortedByDescending { it.invitation == linked }.forEach { inv ->
                item(key = "i${inv.invitation}") {
                    Row(Modifier.fillMaxWidth().padding(12.dp).testTag("invitation-${inv.invitation}"), verticalAlignment = Alignment.CenterVertically) {
                        Column(Modifier.weight(1f)) {
                            Text(inv.title)
                            Text(inv.detail + if (inv.invitation == linked) " · from your link" else "", style = MaterialTheme.typography.bodySmall)
                        }
                        if (inv.invitation in state.busy) Working() else {
                            Button(onClick = { presenter.accept(inv.invitation) }) { Text("Accept") }
                            OutlinedButton(onClick = { presenter.decline(inv.invitation) }) { Text("Decline") }
                        }
                    }
                }
            }
            item { Heading("My sessions") }
            if (state.mine.isEmpty()) item { Text("None yet", Modifier.padding(12.dp)) }
            state.mine.forEach { row ->
                item(key = "m${row.session}") {
                    Column(Modifier.fillMaxWidth().clickable { open(row.session) }.padding(12.dp)) { Text(row.title); Text(row.detail, style = MaterialTheme.typography.bodySmall) }
                }
            }
            state.queues.forEachIndexed { index, q ->
                item(key = "q$index") { Heading(q.name) }
                q.sessions.forEach { row ->
                    item(key = "s${row.session}") {
                        Row(Modifier.fillMaxWidth().padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
                            Column(Modifier.weight(1f)) { Text(row.title); Text(row.detail, style = MaterialTheme.typography.bodySmall) }
                            if (row.session in state.busy) Working() else Button(onClick = { presenter.take(row.session) }) { Text("Take") }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun Heading(text: String) = Column {
    Text(text, Modifier.padding(start = 12.dp, top = 16.dp, bottom = 4.dp), style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.primary)
    HorizontalDivider()
}
