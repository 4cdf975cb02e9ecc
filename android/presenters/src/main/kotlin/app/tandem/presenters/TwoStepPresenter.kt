package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/**
 * Two-step sign-in from the phone (issue 26): see whether it is on, set it up (the key to type or to open in an
 * authenticator app on this phone), turn it on with the app's first code, and keep the recovery codes shown once. The
 * appliance decides everything; this only shows it.
 */
class TwoStepPresenter(private val console: Console, private val scope: CoroutineScope) {
    sealed interface Step {
        data object Loading : Step
        /** Off: it can be set up. */
        data object Off : Step
        /** Set up, waiting for the app's first code. */
        data class Setup(val key: String, val url: String) : Step
        /** On; [recoveryCodes] only right after turning it on. */
        data class On(val recoveryCodes: List<String> = emptyList()) : Step
    }

    data class State(
        val step: Step = Step.Loading,
        val required: Boolean = false,
        val code: String = "",
        val working: Boolean = false,
        val message: String? = null,
    ) {
        val canConfirm: Boolean get() = step is Step.Setup && code.length >= 6 && !working
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    init {
        scope.launch {
            attempt {
                val now = console.twoStep()
                // A set-up left half-way shows a fresh key: the old one was never confirmed.
                mutable.update { it.copy(step = if (now.enabled) Step.On() else Step.Off, required = now.required) }
            }
        }
    }

    /** Begin setting it up: a new key. */
    fun start() = scope.launch {
        attempt {
            val setup = console.startTwoStep()
            mutable.update { it.copy(step = Step.Setup(setup.key, setup.url), code = "") }
        }
    }

    fun editCode(code: String) = mutable.update { it.copy(code = code.filter(Char::isDigit).take(8), message = null) }

    /** The app's first code turns it on. */
    fun confirm() {
        if (!state.value.canConfirm) return
        val code = state.value.code
        scope.launch {
            attempt {
                val recovery = console.confirmTwoStep(code)
                mutable.update { it.copy(step = Step.On(recovery), code = "") }
            }
        }
    }

    fun dismissMessage() = mutable.update { it.copy(message = null) }

    private suspend fun attempt(block: suspend () -> Unit) {
        mutable.update { it.copy(working = true, message = null) }
        try {
            block()
        } catch (e: ConsoleException) {
            mutable.update { it.copy(message = e.shown, code = "") }
        } finally {
            mutable.update { it.copy(working = false) }
        }
    }
}
