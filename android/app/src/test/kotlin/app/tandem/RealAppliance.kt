package app.tandem

import android.os.Looper
import app.tandem.console.api.Console
import app.tandem.console.api.SessionCommand
import app.tandem.console.impl.BindingsGateway
import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.mapNotNull
import kotlinx.coroutines.runBlocking
import org.robolectric.Shadows.shadowOf

/**
 * The real appliance the test script started (TANDEM_URL, TANDEM_FINGERPRINT), reached through the
 * real Rust core over JNA, and real customer clients (TANDEM_CUSTOMER) to put people in queues.
 */
class RealAppliance : AutoCloseable {
    val url: String = System.getenv("TANDEM_URL") ?: error("run with android/offline/robolectric (it starts an appliance)")
    val fingerprint: String = System.getenv("TANDEM_FINGERPRINT") ?: error("TANDEM_FINGERPRINT is not set")
    private val customers = mutableListOf<Pair<Process, File>>()
    private val byName = mutableMapOf<String, Process>()
    private val consoles = mutableListOf<Console>()

    /** A technician signed in through the real core, as the app would sign them in. */
    fun signIn(who: String): Console =
        runBlocking { BindingsGateway().signIn(url, fingerprint, "$who@demo.tandem", PASSWORD) }.also { consoles += it }

    /** A customer client run with a session key from [technician]'s console: it waits in their queue. */
    fun customer(technician: Console, name: String): Long {
        val key = runBlocking { technician.sessionKey(null) }.key
        val home = Files.createTempDirectory("tandem-customer").toFile()
        val process = ProcessBuilder(System.getenv("TANDEM_CUSTOMER"), "--url", url, "--fingerprint", fingerprint, "--key", key, "--name", name, "--allow-all")
            .apply {
                environment()["HOME"] = home.path
                redirectOutput(File(home, "out"))
                redirectError(File(home, "err"))
            }.start()
        customers += process to home
        byName[name] = process
        return technician.next("$name in the queue") { it.queued.firstOrNull { s -> s.customer.name == name }?.id }
    }

    /** [owner] takes a new customer's session and invites [invitee]; the invitation's id. */
    fun invitation(owner: Console, invitee: Console, customer: String): Long {
        val session = customer(owner, customer)
        runBlocking { owner.perform(SessionCommand.AcceptFromQueue(session)) }
        runBlocking { owner.perform(SessionCommand.InviteTechnician(session, invitee.me)) }
        return invitee.next("the invitation to reach the invitee") { it.incoming.firstOrNull { i -> i.session == session }?.id }
    }

    /** The customer called [name] types [text] into their client's chat. */
    fun customerSays(name: String, text: String) {
        val stdin = byName.getValue(name).outputStream
        stdin.write("$text\n".toByteArray())
        stdin.flush()
    }

    override fun close() {
        customers.forEach { (process, home) -> process.destroyForcibly(); home.deleteRecursively() }
        consoles.forEach { runCatching { runBlocking { it.signOut() } } }
    }

    companion object {
        const val PASSWORD = "tandem-demo-2026"
    }
}

/** The first value [pick] finds in this console's snapshots, waiting for the update that brings it. */
fun <T : Any> Console.next(what: String, pick: (app.tandem.console.api.ConsoleSnapshot) -> T?): T = runBlocking {
    kotlinx.coroutines.withTimeoutOrNull(10_000) { updates().mapNotNull(pick).first() }
} ?: throw AssertionError("$what never happened")

/**
 * Waits for [value] to be non-null while running the main looper (Robolectric pauses it: the app's
 * coroutines on Dispatchers.Main only run when it is idled), for at most ten seconds.
 */
fun <T : Any> eventually(what: String, value: () -> T?): T {
    val deadline = System.nanoTime() + 10_000_000_000
    while (System.nanoTime() < deadline) {
        if (Looper.myLooper() == Looper.getMainLooper()) shadowOf(Looper.getMainLooper()).idle()
        value()?.let { return it }
        // The events arrive on the core's threads and are posted to the paused main looper, which
        // only this thread can run: a short pause between turns of it, not a fixed wait.
        Thread.sleep(20)
    }
    throw AssertionError("$what never happened")
}
