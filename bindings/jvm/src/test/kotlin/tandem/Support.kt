package tandem

import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.runBlocking
import uniffi.tandem_ffi.ConsoleChange
import uniffi.tandem_ffi.ConsoleListener
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.TandemConsole

/** The appliance the run script started, and the customer stand-in it built. */
object Appliance {
    val url: String = env("TANDEM_URL")
    val fingerprint: String = env("TANDEM_FINGERPRINT")
    val customerTool: String = env("TANDEM_TEST_CUSTOMER")
    /** The real customer client, and the virtual display it shares. */
    val customerClient: String = env("TANDEM_CUSTOMER")
    val display: String = env("TANDEM_TEST_DISPLAY")
    val displaySize: String = env("TANDEM_TEST_DISPLAY_SIZE")
    /** The demo organisation's password (tandem-appliance demo). */
    const val PASSWORD = "tandem-demo-2026"

    private fun env(name: String): String =
        System.getenv(name) ?: error("$name is not set: run the tests with bindings/jvm/run-tests")
}

fun signIn(who: String): TandemConsole = runBlocking {
    TandemConsole.signIn(Appliance.url, Appliance.fingerprint, "$who@demo.tandem", Appliance.PASSWORD, null)
}

/**
 * Waits until the console shows what [done] looks for, listening through [TandemConsole.observe]:
 * the current state first, then, at each change it tells, the whole state read again (the
 * app applies the changes instead: android/console-impl).
 */
fun TandemConsole.awaitState(timeoutMs: Long = 10_000, done: (ConsoleState) -> Boolean): ConsoleState {
    val states = LinkedBlockingQueue<ConsoleState>()
    val observation = observe(object : ConsoleListener {
        override fun onState(state: ConsoleState) {
            states.add(state)
        }

        override fun onChange(change: ConsoleChange) {
            states.add(state())
        }
    })
    try {
        val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)
        while (true) {
            val left = deadline - System.nanoTime()
            check(left > 0) { "the console did not show the expected state within $timeoutMs ms; it shows ${state()}" }
            val state = states.poll(left, TimeUnit.NANOSECONDS) ?: continue
            if (done(state)) return state
        }
    } finally {
        observation.cancel()
        observation.close()
    }
}

fun ConsoleState.technician(name: String): ULong = technicians.first { it.name.startsWith(name) }.id
fun ConsoleState.team(name: String): ULong = teams.first { it.name == name }.id

/** A customer (or external user) played by the customer stand-in process. */
class Customer(val token: String, val session: ULong) {
    fun say(text: String) {
        tool("say", token, session.toString(), text)
    }

    fun transcript(): List<String> =
        Regex("\"((?:[^\"\\\\]|\\\\.)*)\"").findAll(tool("transcript", token)).map { it.groupValues[1] }.toList()

    companion object {
        fun join(key: String, name: String): Customer {
            val out = tool("join", key, name)
            return Customer(field(out, "token"), number(out, "session"))
        }
    }
}

/** Redeem an external link's token; returns the external user's id. */
fun redeem(linkToken: String): ULong = number(tool("redeem", linkToken), "external")

/** The stand-in's stdout; it fails the test with the stand-in's own message. */
fun tool(vararg args: String): String {
    val process = ProcessBuilder(listOf(Appliance.customerTool) + args).redirectErrorStream(false).start()
    val out = process.inputStream.bufferedReader().readText()
    val err = process.errorStream.bufferedReader().readText()
    check(process.waitFor() == 0) { "customer ${args.first()} failed: $err" }
    return out
}

fun toolFails(vararg args: String): String {
    val process = ProcessBuilder(listOf(Appliance.customerTool) + args).start()
    val err = process.errorStream.bufferedReader().readText()
    check(process.waitFor() != 0) { "customer ${args.first()} should have failed" }
    return err
}

private fun field(json: String, name: String) =
    Regex("\"$name\":\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no $name in $json")

private fun number(json: String, name: String) =
    Regex("\"$name\":(\\d+)").find(json)?.groupValues?.get(1)?.toULong() ?: error("no $name in $json")
