package app.tandem.console.impl

import app.tandem.presenters.FakeConsole
import app.tandem.presenters.SessionPresenter
import java.nio.ByteBuffer
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.Assert.assertEquals
import org.junit.Test
import uniffi.tandem_ffi.ChatItem
import uniffi.tandem_ffi.ClientMode
import uniffi.tandem_ffi.ConnectionState
import uniffi.tandem_ffi.ConsoleChange
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.CustomerItem
import uniffi.tandem_ffi.CustomerLinkItem
import uniffi.tandem_ffi.FfiConverterTypeConsoleChange
import uniffi.tandem_ffi.FfiConverterTypeConsoleState
import uniffi.tandem_ffi.NamedItem
import uniffi.tandem_ffi.ParticipantItem
import uniffi.tandem_ffi.Platform
import uniffi.tandem_ffi.PolicyItem
import uniffi.tandem_ffi.ScreenState
import uniffi.tandem_ffi.SessionChange
import uniffi.tandem_ffi.SessionItem
import uniffi.tandem_ffi.SessionList
import uniffi.tandem_ffi.SessionStatusItem
import uniffi.tandem_ffi.TeamItem
import uniffi.tandem_ffi.TechnicianItem

/**
 * A benchmark, not a timed test (issue 13): what one chat line costs to cross into Kotlin in a
 * session that already holds 10,000 lines, as the whole state (how the console core used to
 * tell every change) and as a change (how it tells them now), measured in the same run. The
 * bytes are those uniffi's own converters move across the boundary (`allocationSize`); the time
 * is the Kotlin side only: reading those bytes into records, mapping them into the snapshot the
 * screens share, and the session screen's presenter taking the new snapshot. Lowering on the
 * Rust side is outside the timing. The only assertions are that both paths end in the same
 * snapshot and the same lines on screen.
 */
class ChatOverTheBoundaryTest {
    private val earlier = 10_000
    private val said = 300

    private fun line(seq: Long) = ChatItem(
        seq = seq, at = 1_764_000_000_000 + seq, from = if (seq % 2 == 0L) ParticipantItem.Customer else ParticipantItem.Technician(1uL),
        text = "Line $seq: the printer on the second floor still says paper jam after the reboot",
    )

    private fun session(chat: List<ChatItem>) = SessionItem(
        id = 10uL, status = SessionStatusItem.Active, owner = 1uL, members = emptyList(), externals = emptyList(),
        customer = CustomerItem("Pat at the front desk", Platform.WINDOWS, ClientMode.FULL, true, CustomerLinkItem.ONLINE, null),
        chatEnabled = true, screen = ScreenState.OFF, shell = false, chat = chat, jumpClient = null, held = false,
    )

    /** A modest organisation around the one session: 50 technicians, 8 teams, 4 policies. */
    private fun state(chat: List<ChatItem>) = ConsoleState(
        me = 1uL, seq = chat.last().seq, connection = ConnectionState.Online,
        teams = (1..8).map { t -> TeamItem(t.toULong() + 100u, "Team $t", null, (1..50).filter { it % 8 == t - 1 }.map { it.toULong() }, true) },
        technicians = (1..50).map { TechnicianItem(it.toULong(), "Technician $it", it % 3 != 0, it % 7 == 0) },
        sessions = listOf(session(chat)), queued = emptyList(), incoming = emptyList(), sent = emptyList(),
        policies = (1..4).map { PolicyItem(it.toULong() + 200u, "Policy $it", "What external users under policy $it may do, in full.") },
        issues = emptyList(), jumpGroups = listOf(NamedItem(300u, "Branch offices")), buttonProfiles = listOf(NamedItem(400u, "Standard")),
        jumpClients = emptyList(), notices = emptyList(),
    )

    private fun change(line: ChatItem) = ConsoleChange(
        seq = line.seq, connection = null, teams = null, technicians = null,
        sessions = listOf(SessionChange(10uL, SessionList.MINE, null, listOf(line), false)),
        removed = emptyList(), incoming = null, sent = null, policies = null, issues = null, jumpGroups = null,
        buttonProfiles = null, jumpClients = null, notices = null,
    )

    private class Run(val bytes: Long, val nanos: LongArray) {
        val median get() = nanos.sorted()[nanos.size / 2]
    }

    /** Each new line through one path: [prepare] is the Rust side (untimed), [take] the Kotlin side. */
    private fun measure(prepare: (Int) -> ByteBuffer, take: (ByteBuffer) -> Unit, size: (Int) -> Long): Run {
        val nanos = LongArray(said)
        var bytes = 0L
        for (i in 0 until said) {
            val buffer = prepare(i)
            bytes += size(i)
            val start = System.nanoTime()
            take(buffer)
            nanos[i] = System.nanoTime() - start
        }
        return Run(bytes / said, nanos)
    }

    @Test
    fun aChatLineInALongSessionCrossesAsItselfNotAsTheWholeState() {
        val history = (1L..earlier).map(::line)
        val news = (earlier + 1L..earlier + said).map(::line)
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
        fun fresh(): Pair<FakeConsole, SessionPresenter> {
            val console = FakeConsole(state(history).toSnapshot(), menus = emptyMap())
            return console to SessionPresenter(console, 10, scope)
        }

        // The whole state per line, as before.
        val (wholeConsole, wholePresenter) = fresh()
        val whole = measure(
            prepare = { i ->
                val s = state(history + news.subList(0, i + 1))
                ByteBuffer.allocate(FfiConverterTypeConsoleState.allocationSize(s).toInt()).also { FfiConverterTypeConsoleState.write(s, it); it.flip() }
            },
            take = { buffer -> wholeConsole.snapshots.value = FfiConverterTypeConsoleState.read(buffer).toSnapshot() },
            size = { i -> FfiConverterTypeConsoleState.allocationSize(state(history + news.subList(0, i + 1))).toLong() },
        )

        // Only the change per line, as now.
        val (changeConsole, changePresenter) = fresh()
        val changes = measure(
            prepare = { i ->
                val c = change(news[i])
                ByteBuffer.allocate(FfiConverterTypeConsoleChange.allocationSize(c).toInt()).also { FfiConverterTypeConsoleChange.write(c, it); it.flip() }
            },
            take = { buffer -> changeConsole.snapshots.value = changeConsole.snapshots.value.applying(FfiConverterTypeConsoleChange.read(buffer)) },
            size = { i -> FfiConverterTypeConsoleChange.allocationSize(change(news[i])).toLong() },
        )
        scope.cancel()

        assertEquals("both paths end in the same snapshot", wholeConsole.snapshots.value, changeConsole.snapshots.value)
        assertEquals(earlier + said, changePresenter.state.value.chat.size)
        assertEquals(wholePresenter.state.value.chat, changePresenter.state.value.chat)

        // The first lines of each path warm the JIT: the medians are of all lines.
        println(
            "chat line with $earlier earlier lines, median of $said (Kotlin side: read the bytes, map, presenter):\n" +
                "  whole state per change: %,d bytes, %.1f µs\n".format(whole.bytes, whole.median / 1000.0) +
                "  the change alone:       %,d bytes, %.1f µs\n".format(changes.bytes, changes.median / 1000.0) +
                "  ratio: %,.0fx fewer bytes, %,.1fx less time".format(whole.bytes.toDouble() / changes.bytes, whole.median.toDouble() / changes.median),
        )
    }
}
