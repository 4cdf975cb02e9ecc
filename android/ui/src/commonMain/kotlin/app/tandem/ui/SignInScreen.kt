package app.tandem.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.unit.dp
import app.tandem.presenters.SignInPresenter
import app.tandem.presenters.SignInPresenter.Step

/** Sign in: appliance address, e-mail, password; a self-signed certificate is shown before it is trusted. */
@Composable
fun SignInScreen(presenter: SignInPresenter) {
    val state by presenter.state.collectAsState()
    // Scrolls: on a small phone, or with the keyboard up (adjustResize), the certificate prompt
    // and its "Trust" button would otherwise be cut off below the screen's edge.
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Tandem", style = MaterialTheme.typography.headlineMedium)
        OutlinedTextField(state.address, { presenter.edit(address = it) }, Modifier.fillMaxWidth().testTag("address"),
            label = { Text("Appliance") }, singleLine = true, keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri))
        OutlinedTextField(state.email, { presenter.edit(email = it) }, Modifier.fillMaxWidth().testTag("email"),
            label = { Text("E-mail") }, singleLine = true, keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email))
        OutlinedTextField(state.password, { presenter.edit(password = it) }, Modifier.fillMaxWidth().testTag("password"),
            label = { Text("Password") }, singleLine = true, visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password))
        if (state.codeAsked) {
            // Two-step sign-in (issue 26): the authenticator app's six digits, or a recovery code.
            OutlinedTextField(state.code, presenter::editCode, Modifier.fillMaxWidth().testTag("code"),
                label = { Text("Code from your authenticator app") }, singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
        }
        Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            Button(onClick = if (state.codeAsked) presenter::submitCode else presenter::submit, enabled = state.canSubmit,
                modifier = Modifier.testTag("sign-in")) { Text("Sign in") }
            if (state.step is Step.Working) Working()
        }
        when (val step = state.step) {
            is Step.Failed -> Text(step.message, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("sign-in-error"))
            is Step.AskCode -> Column(Modifier.testTag("code-asked"), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text("Two-step sign-in: type the six digits your authenticator app shows for Tandem, or one of your recovery codes.")
                step.wrong?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("sign-in-error")) }
            }
            is Step.ConfirmCertificate -> Column(Modifier.testTag("certificate"), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(
                    if (step.changedFrom != null) "This appliance's certificate has CHANGED. Trust the new one only if your administrator replaced it."
                    else "First connection to ${step.certificate.name} ${step.certificate.version}. Compare this fingerprint with the one your administrator gave you:",
                )
                Text(step.certificate.presented, fontFamily = FontFamily.Monospace)
                Row {
                    Button(onClick = presenter::trustCertificate, modifier = Modifier.testTag("trust")) { Text("Trust and sign in") }
                    TextButton(onClick = presenter::cancel) { Text("Cancel") }
                }
            }
            else -> Unit
        }
    }
}
