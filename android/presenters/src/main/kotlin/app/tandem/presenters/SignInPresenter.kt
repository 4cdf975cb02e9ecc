package app.tandem.presenters

import app.tandem.console.api.Certificate
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Gateway
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** Fingerprints pinned on first use, by appliance address (the app keeps them on the device). */
interface TrustStore {
    fun pinned(address: String): String?
    fun pin(address: String, fingerprint: String)
}

/** Signing in: the appliance address, e-mail and password; a self-signed certificate is trusted by its fingerprint. */
class SignInPresenter(
    private val gateway: Gateway,
    private val trust: TrustStore,
    private val scope: CoroutineScope,
    private val signedIn: (Console) -> Unit,
) {
    sealed interface Step {
        data object Editing : Step
        data object Working : Step
        /** First contact: show who the appliance is and its fingerprint before trusting it. */
        data class ConfirmCertificate(val certificate: Certificate, val changedFrom: String?) : Step
        data class Failed(val message: String) : Step
    }

    data class State(
        val address: String = "https://10.0.2.2:8443/",
        val email: String = "",
        val password: String = "",
        val step: Step = Step.Editing,
    ) {
        val canSubmit: Boolean get() = address.isNotBlank() && email.isNotBlank() && password.isNotEmpty() && step !is Step.Working
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    fun edit(address: String = state.value.address, email: String = state.value.email, password: String = state.value.password) =
        mutable.update { it.copy(address = address.trim(), email = email.trim(), password = password, step = Step.Editing) }

    /** Sign in with the pinned fingerprint, or look at the certificate first if none is pinned. */
    fun submit() {
        val s = state.value
        if (!s.canSubmit) return
        mutable.update { it.copy(step = Step.Working) }
        scope.launch {
            val pinned = trust.pinned(s.address)
            try {
                val certificate = gateway.firstContact(s.address)
                when {
                    pinned == certificate.presented -> signIn(pinned)
                    // A publicly trusted appliance needs no pin: the platform's trust decides.
                    certificate.announced == null && pinned == null -> signInOrConfirm(certificate)
                    else -> mutable.update { it.copy(step = Step.ConfirmCertificate(certificate, changedFrom = pinned)) }
                }
            } catch (e: ConsoleException) {
                fail(e)
            }
        }
    }

    private suspend fun signInOrConfirm(certificate: Certificate) {
        try {
            finish(gateway.signIn(state.value.address, null, state.value.email, state.value.password))
        } catch (e: ConsoleException) {
            if (e.kind == ConsoleException.Kind.UNTRUSTED) {
                mutable.update { it.copy(step = Step.ConfirmCertificate(certificate, changedFrom = null)) }
            } else {
                fail(e)
            }
        }
    }

    /** The technician compared the fingerprint and trusts it: pin it and sign in. */
    fun trustCertificate() {
        val step = state.value.step as? Step.ConfirmCertificate ?: return
        mutable.update { it.copy(step = Step.Working) }
        scope.launch { signIn(step.certificate.presented, pinAfter = true) }
    }

    fun cancel() = mutable.update { it.copy(step = Step.Editing) }

    private suspend fun signIn(fingerprint: String, pinAfter: Boolean = false) {
        val s = state.value
        try {
            val console = gateway.signIn(s.address, fingerprint, s.email, s.password)
            if (pinAfter) trust.pin(s.address, fingerprint)
            finish(console)
        } catch (e: ConsoleException) {
            fail(e)
        }
    }

    private fun finish(console: Console) {
        mutable.update { it.copy(password = "", step = Step.Editing) }
        signedIn(console)
    }

    private fun fail(e: ConsoleException) {
        val message = when {
            e.kind == ConsoleException.Kind.REFUSED && e.status == 401 -> "Wrong e-mail or password."
            e.kind == ConsoleException.Kind.REFUSED && e.status == 429 -> "Too many attempts. ${e.message}"
            e.kind == ConsoleException.Kind.NETWORK -> "Cannot reach the appliance: ${e.message}"
            e.kind == ConsoleException.Kind.UNTRUSTED -> "The appliance's certificate is not the one trusted: ${e.message}"
            else -> e.shown
        }
        mutable.update { it.copy(step = Step.Failed(message)) }
    }
}
