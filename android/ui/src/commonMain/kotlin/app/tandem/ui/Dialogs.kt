package app.tandem.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.selectable
import androidx.compose.ui.semantics.Role
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import app.tandem.presenters.Dialog
import app.tandem.presenters.FlyoutPresenter
import app.tandem.presenters.Option

/** The dialog a flyout line opened, drawn over the session. */
@Composable
fun FlyoutDialog(dialog: Dialog, presenter: FlyoutPresenter, working: Boolean) {
    val platform = LocalPlatform.current
    when (dialog) {
        is Dialog.Pick -> Panel(dialog.title, presenter::dismiss, "pick") { Options(dialog.options, presenter::pick) }
        is Dialog.ShareTeams -> Panel("Share with a member of", presenter::dismiss, "share-teams") { Options(dialog.teams, presenter::chooseTeam) }
        is Dialog.ShareMembers -> Panel("Invite from ${dialog.team}", presenter::dismiss, "share-members") { Options(dialog.members, presenter::pick) }
        is Dialog.ConfirmRemove -> Panel("Remove ${dialog.member.label}?", presenter::dismiss, "confirm-remove") {
            Text("They leave the session at once.")
            Actions(working, "Remove", presenter::confirmRemove, presenter::dismiss)
        }
        is Dialog.ConfirmClose -> Panel(dialog.title, presenter::dismiss, "confirm-close") {
            Text(dialog.question)
            Actions(working, "Yes", presenter::confirmClose, presenter::dismiss)
        }
        is Dialog.ProvideCredentials -> Panel("Provide Credentials", presenter::dismiss, "credentials") {
            Text("An administrator of the customer's computer. The password goes to the customer client only.")
            OutlinedTextField(dialog.username, { presenter.editCredentials(it, dialog.password) }, Modifier.fillMaxWidth(), label = { Text("User name") }, singleLine = true)
            OutlinedTextField(dialog.password, { presenter.editCredentials(dialog.username, it) }, Modifier.fillMaxWidth(), label = { Text("Password") },
                singleLine = true, visualTransformation = PasswordVisualTransformation())
            Actions(working, "Elevate", presenter::sendCredentials, presenter::dismiss)
        }
        is Dialog.InviteExternal -> Panel("Invite External Representative", presenter::dismiss, "invite-external") {
            Text("Security policy", style = MaterialTheme.typography.titleSmall)
            dialog.policies.forEach { p ->
                Choice(dialog.policy == p.id, { presenter.editInvite(policy = p.id) }, "policy:${p.name}") {
                    Column(Modifier.padding(vertical = 12.dp)) { Text(p.name); Text(p.description, style = MaterialTheme.typography.bodySmall) }
                }
            }
            OutlinedTextField(dialog.name, { presenter.editInvite(name = it) }, Modifier.fillMaxWidth().testTag("external-name"), label = { Text("Name") }, singleLine = true)
            OutlinedTextField(dialog.comments, { presenter.editInvite(comments = it) }, Modifier.fillMaxWidth().testTag("external-comments"), label = { Text("Comments") })
            OutlinedTextField(dialog.email, { presenter.editInvite(email = it) }, Modifier.fillMaxWidth().testTag("external-email"),
                label = { Text("E-mail (optional)") }, supportingText = { Text("The appliance mails the link to this address.") }, singleLine = true)
            Actions(working, "Send", presenter::sendInvite, presenter::dismiss, enabled = dialog.canSend)
        }
        is Dialog.ExternalLinkReady -> Panel("Invitation ready", presenter::dismiss, "external-link") {
            Text("Policy: ${dialog.policy}")
            Text(dialog.link, fontFamily = FontFamily.Monospace, modifier = Modifier.testTag("link"))
            if (dialog.mailedTo != null) Text("The appliance e-mailed it to ${dialog.mailedTo}.")
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { platform.copy(dialog.link) }, Modifier.testTag("copy")) { Text("Copy") }
                OutlinedButton(onClick = { platform.share(dialog.link) }, Modifier.testTag("share")) { Text("Share") }
                TextButton(onClick = presenter::dismiss) { Text("Done") }
            }
        }
        is Dialog.DeployButton -> Panel("Deploy Support Button", presenter::dismiss, "deploy-button") {
            OutlinedTextField(dialog.name, { presenter.editButton(name = it) }, Modifier.fillMaxWidth(), label = { Text("Name") }, singleLine = true)
            OutlinedTextField(dialog.validHours.toString(), { presenter.editButton(validHours = it.toIntOrNull() ?: 0) }, Modifier.fillMaxWidth(),
                label = { Text("Expires after (hours)") }, singleLine = true)
            Text("Profile", style = MaterialTheme.typography.titleSmall)
            dialog.profiles.forEach { p ->
                Choice(dialog.profile == p, { presenter.editButton(profile = p) }, "profile:${p.name}") { Text(p.name) }
            }
            Text("Queue", style = MaterialTheme.typography.titleSmall)
            dialog.queues.forEach { q ->
                Choice(dialog.queue == q, { presenter.editButton(queue = q) }, "queue:${q.label}") { Text(q.label) }
            }
            Actions(working, "Deploy", presenter::deployButton, presenter::dismiss)
        }
    }
}

/**
 * One choice of several: the whole row is the control (at least 48 dp high), read by TalkBack as
 * a radio button with the row's text; the radio button itself only shows the state.
 */
@Composable
private fun Choice(selected: Boolean, onSelect: () -> Unit, tag: String, content: @Composable () -> Unit) =
    Row(
        Modifier.fillMaxWidth().heightIn(min = 48.dp).selectable(selected, role = Role.RadioButton, onClick = onSelect).testTag(tag),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        RadioButton(selected = selected, onClick = null, modifier = Modifier.padding(horizontal = 12.dp))
        content()
    }

@Composable
private fun Options(options: List<Option>, choose: (Option) -> Unit) {
    if (options.isEmpty()) Text("Nothing to choose from.")
    options.forEach { o ->
        Column(Modifier.fillMaxWidth().heightIn(min = 48.dp).clickable { choose(o) }.padding(vertical = 8.dp).testTag("option:${o.label}")) {
            Text(o.label)
            if (o.detail.isNotEmpty()) Text(o.detail, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
    }
}

@Composable
private fun Actions(working: Boolean, confirm: String, onConfirm: () -> Unit, onCancel: () -> Unit, enabled: Boolean = true) =
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalAlignment = Alignment.CenterVertically) {
        Button(onClick = onConfirm, enabled = enabled && !working, modifier = Modifier.testTag("confirm")) { Text(confirm) }
        TextButton(onClick = onCancel) { Text("Cancel") }
        if (working) Working()
    }
