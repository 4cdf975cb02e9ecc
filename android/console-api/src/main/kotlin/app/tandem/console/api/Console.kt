package app.tandem.console.api

import kotlinx.coroutines.flow.Flow

/** Reaches appliances before anyone is signed in. */
interface Gateway {
    /** Who the appliance at [address] says it is, and the certificate it presents (to pin on first use). */
    suspend fun firstContact(address: String): Certificate

    /** Sign in, trusting the certificate with [fingerprint], or the platform's trust without one. */
    suspend fun signIn(address: String, fingerprint: String?, email: String, password: String, code: String? = null): Console
}

/** A signed-in technician's console. */
interface Console {
    val me: Long

    /** What the console shows now (no call into the core: the shared state's current value). */
    fun snapshot(): ConsoleSnapshot

    /** The current snapshot, then every change: one state shared by every collector. */
    fun updates(): Flow<ConsoleSnapshot>

    /** The session's flyout menu, from the rules engine (computed off the main thread). */
    suspend fun menu(session: Long): List<MenuAction>

    suspend fun perform(command: SessionCommand)

    /** Invite an external user under [policy]; with [email], the appliance mails the link (X3). */
    suspend fun inviteExternal(session: Long, policy: Long, name: String, comments: String, email: String?): ExternalLink

    /** A session key for a customer, into [team]'s queue or the technician's own. */
    suspend fun sessionKey(team: Long?): SessionKey

    /** Start an unattended session through a jump client (J1); returns the new session, already theirs. */
    suspend fun startJump(jumpClient: Long): Long

    suspend fun systemInfo(session: Long): SystemInfo

    suspend fun openScreen(session: Long): ScreenStream

    suspend fun openShell(session: Long): ShellStream

    suspend fun signOut()

    /** Where this account stands with two-step sign-in (issue 26). */
    suspend fun twoStep(): TwoStep

    /** Begin setting it up: the key for an authenticator app. On once [confirmTwoStep] took the app's first code. */
    suspend fun startTwoStep(): TwoStepSetup

    /** The app's first code turns it on; the recovery codes, to show this once. */
    suspend fun confirmTwoStep(code: String): List<String>
}

/** The customer's screen: pull the newest frame when ready to draw. */
interface ScreenStream : AutoCloseable {
    /** The newest frame if newer than [after] (0 at first). */
    suspend fun frame(after: Long): Frame?

    val isClosed: Boolean

    /** Pointer at ([x], [y]) in the frame's pixels, [buttons] held (bit 0 left). Passed on only under control. */
    suspend fun pointer(x: Int, y: Int, buttons: Int)

    /**
     * The whole screen is shown within [width] x [height] pixels: the customer's computer sends it
     * scaled down to fit (never up), so a phone is not sent more than it can show. Ask for more as
     * the technician zooms in.
     */
    suspend fun show(width: Int, height: Int)

    suspend fun key(keysym: Int, down: Boolean)

    /** The customer's monitors, once their computer said; null before. */
    suspend fun monitors(): Monitors?

    /** See the monitor at [index] of [monitors] alone, or the whole desktop (null); every viewer then sees it. */
    suspend fun showMonitor(index: Int?)
}

/** One of the customer's monitors. */
data class Monitor(val name: String, val width: Int, val height: Int, val primary: Boolean)

/** The customer's monitors, and the index of the one sent ([shown]; null: the whole desktop). */
data class Monitors(val monitors: List<Monitor>, val shown: Int?)

/** The customer's command shell. */
interface ShellStream : AutoCloseable {
    suspend fun write(bytes: ByteArray)
    suspend fun resize(cols: Int, rows: Int)

    /** The next output, or null once the shell has closed. */
    suspend fun read(): ByteArray?
}

/** Why the appliance or the network said no, as one type for every screen. */
class ConsoleException(
    val kind: Kind,
    override val message: String,
    /** For [Kind.REFUSED]: the HTTP status and the product rule, e.g. "T3". */
    val status: Int? = null,
    val rule: String? = null,
    /** For [Kind.REFUSED]: the appliance's stable code, e.g. [SECOND_FACTOR_REQUIRED]. */
    val code: String? = null,
) : Exception(message) {
    companion object {
        /** The password was right; the account signs in with its authenticator app's code too. */
        const val SECOND_FACTOR_REQUIRED = "second_factor_required"
    }

    enum class Kind { REFUSED, NETWORK, UNTRUSTED, PROTOCOL, ADDRESS, INTERNAL }

    /** The sentence to show a person. */
    val shown: String get() = if (rule != null) "$message ($rule)" else message
}
