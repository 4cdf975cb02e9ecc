package app.tandem.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
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
import androidx.compose.ui.unit.dp
import app.tandem.presenters.TwoStepPresenter
import app.tandem.presenters.TwoStepPresenter.Step

/** Two-step sign-in, from the account menu (issue 26): set up with an authenticator app on this phone. */
@Composable
fun TwoStepScreen(presenter: TwoStepPresenter, close: () -> Unit) {
    val state by presenter.state.collectAsState()
    val platform = LocalPlatform.current
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(24.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text("Two-step sign-in", style = MaterialTheme.typography.headlineSmall)
        if (state.required) Text("One of your groups requires it.", modifier = Modifier.testTag("two-step-required"))
        state.message?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("two-step-error")) }
        when (val step = state.step) {
            Step.Loading -> Working()
            Step.Off -> {
                Text("Sign in with a code from an authenticator app as well as your password, so a stolen password alone opens nothing.")
                Button(onClick = { presenter.start() }, enabled = !state.working, modifier = Modifier.testTag("two-step-start")) { Text("Set up") }
            }
            is Step.Setup -> {
                Text("Add this key to your authenticator app, then type the six digits it shows.")
                SelectionContainer {
                    Text(step.key.chunked(4).joinToString(" "), fontFamily = FontFamily.Monospace, modifier = Modifier.testTag("two-step-key"))
                }
                OutlinedButton(onClick = { platform.copy(step.key) }, modifier = Modifier.testTag("two-step-copy")) { Text("Copy the key") }
                OutlinedTextField(state.code, presenter::editCode, Modifier.fillMaxWidth().testTag("two-step-code"),
                    label = { Text("Code from the app") }, singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
                Button(onClick = presenter::confirm, enabled = state.canConfirm, modifier = Modifier.testTag("two-step-confirm")) { Text("Turn on") }
            }
            is Step.On -> {
                Text("On: every sign-in asks for a code from your authenticator app.", modifier = Modifier.testTag("two-step-on"))
                if (step.recoveryCodes.isNotEmpty()) {
                    Text("Keep these recovery codes somewhere safe: each signs you in once without your phone. They are shown only now.")
                    SelectionContainer {
                        Text(step.recoveryCodes.joinToString("\n"), fontFamily = FontFamily.Monospace, modifier = Modifier.testTag("two-step-recovery"))
                    }
                }
            }
        }
        TextButton(onClick = close, modifier = Modifier.testTag("two-step-close")) { Text("Done") }
    }
}
