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

/**
 * Signing in: the appliance address, e-mail and password; a self-signed certificate is trusted by its fingerprint. An
 * account with two-step sign-in on is then asked for its authenticator app's code (the appliance says so), and the
 * three are sent together (issue 26).
 */
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
        /** The password was right: the code of the authenticator app (or a recovery code) is asked; [wrong] after a refused one. */
        data class AskCode(val wrong: String? = null) : Step
    }

    data class State(
        val address: String = "https://10.0.2.2:8443/",
        val email: String = "",
        val password: String = "",
        val step: Step = Step.Editing,
        /** The authenticator app's code, once asked for. */
        val code: String = "",
        /** The fingerprint the sign-in goes with, once the certificate was settled (then a code is sent with the same one). */
        val trusted: String? = null,
        val codeAsked: Boolean = false,
    ) {
        val canSubmit: Boolean get() = address.isNotBlank() && email.isNotBlank() && password.isNotEmpty() && step !is Step.Working &&
            (!codeAsked || code.isNotBlank())
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    fun edit(address: String = state.value.address, email: String = state.value.email, password: String = state.value.password) =
        mutable.update {
            val same = it.address == address.trim() && it.email == email.trim() && it.password == password
            // Another account or appliance: the code asked for the last one is no longer asked.
            if (same) it else it.copy(address = address.trim(), email = email.trim(), password = password, step = Step.Editing, codeAsked = false, code = "")
        }

    /** The code typed (digits and a recovery code's letters and dash; spaces dropped). */
    fun editCode(code: String) = mutable.update { it.copy(code = code.filter { c -> !c.isWhitespace() }.take(64)) }

    /** Send the code with the password. */
    fun submitCode() {
        val s = state.value
        if (!s.codeAsked || s.code.isBlank() || s.step is Step.Working) return
        mutable.update { it.copy(step = Step.Working) }
        scope.launch { signIn(s.trusted, code = s.code) }
    }

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
            if (askCode(e, trusted = null)) return
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

    private suspend fun signIn(fingerprint: String?, pinAfter: Boolean = false, code: String? = null) {
        val s = state.value
        try {
            val console = gateway.signIn(s.address, fingerprint, s.email, s.password, code)
            if (pinAfter && fingerprint != null) trust.pin(s.address, fingerprint)
            finish(console)
        } catch (e: ConsoleException) {
            // The certificate was settled before the code was asked: pinned now, whatever the code does.
            if (pinAfter && fingerprint != null && e.code == ConsoleException.SECOND_FACTOR_REQUIRED) trust.pin(s.address, fingerprint)
            if (askCode(e, fingerprint)) return
            if (code != null && e.kind == ConsoleException.Kind.REFUSED && e.status == 401) {
                mutable.update { it.copy(step = Step.AskCode(wrong = e.message), code = "") }
                return
            }
            fail(e)
        }
    }

    /** The appliance asks this account's code: ask it, keeping the password for sending all three again. */
    private fun askCode(e: ConsoleException, trusted: String?): Boolean {
        if (e.code != ConsoleException.SECOND_FACTOR_REQUIRED) return false
        mutable.update { it.copy(step = Step.AskCode(), codeAsked = true, code = "", trusted = trusted) }
        return true
    }

    private fun finish(console: Console) {
        mutable.update { it.copy(password = "", code = "", codeAsked = false, step = Step.Editing) }
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
