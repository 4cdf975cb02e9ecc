package app.tandem.presenters

import app.tandem.console.api.ChatLine
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.CustomerLink
import app.tandem.console.api.Participant
import app.tandem.console.api.ScreenShare
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.SystemInfo
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One session: its chat, its tools (screen, shell, system information) and its flyout menu. */
class SessionPresenter(private val console: Console, val session: Long, private val scope: CoroutineScope) {
    data class Line(val seq: Long, val who: String, val text: String, val mine: Boolean)

    data class State(
        val customer: String = "",
        val detail: String = "",
        val chat: List<Line> = emptyList(),
        val chatEnabled: Boolean = true,
        val draft: String = "",
        val screen: ScreenShare = ScreenShare.OFF,
        val shell: Boolean = false,
        val tools: List<MenuItem> = emptyList(),
        val systemInfo: SystemInfo? = null,
        /** The technician is no longer in it (ended, transferred, left): the screen closes. */
        val gone: Boolean = false,
        val working: Boolean = false,
        val message: String? = null,
    )

    val flyout = FlyoutPresenter(console, session, scope)

    /** The chat as last shown (see [lines]); declared before init, which may show at once. */
    private var shownChat: List<ChatLine> = emptyList()
    private var shownLines: List<Line> = emptyList()
    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()
    private val notices = NoticeCursor(console.snapshot())

    init {
        scope.launch {
            console.updates().collect {
                show(it)
                // The tools' enabled state is the rules engine's, asked off the main thread.
                if (!state.value.gone) {
                    val tools = sessionTools(console.menu(session))
                    mutable.update { st -> st.copy(tools = tools) }
                }
            }
        }
    }

    private fun show(s: ConsoleSnapshot) {
        notices.fresh(s)?.let { text -> mutable.update { it.copy(message = text) } }
        val summary = s.sessions.firstOrNull { it.id == session }
        if (summary == null || summary.ended) {
            mutable.update { it.copy(gone = true) }
            return
        }
        // Outside `update`, whose block may run again when another update races it: the
        // lines remember what they showed.
        val chat = lines(s, summary.chat)
        mutable.update {
            it.copy(
                customer = summary.customer.name,
                detail = "${summary.customer.os.shown} · ${summary.customer.mode.shown}" + when (summary.customer.link) {
                    CustomerLink.ONLINE -> ""
                    CustomerLink.RECONNECTING -> " · reconnecting…"
                    CustomerLink.CONNECTION_LOST -> " · left (connection lost)"
                    CustomerLink.LEFT -> " · left"
                    CustomerLink.REMOVED -> " · disconnected"
                },
                chat = chat,
                chatEnabled = summary.chatEnabled,
                screen = summary.screen,
                shell = summary.shell,
            )
        }
    }

    /**
     * The chat as lines to show. When the session's chat is the one shown plus new lines (the
     * usual change), only the new lines are mapped: a line said in a long session costs the same
     * as in a short one. Names are those of the moment each line arrived.
     */
    private fun lines(s: ConsoleSnapshot, chat: List<ChatLine>): List<Line> {
        val before = shownChat
        val shown = shownLines
        fun line(c: ChatLine) = Line(c.seq, s.nameOf(c.from, session), c.text, c.from == Participant.OfTechnician(s.me))
        val grows = before.isNotEmpty() && chat.size >= before.size && shown.size == before.size &&
            chat[0].seq == before[0].seq && chat[before.size - 1].seq == before.last().seq
        shownChat = chat
        shownLines = when {
            chat === before -> shown
            grows -> if (chat.size == before.size) shown else shown + chat.subList(before.size, chat.size).map(::line)
            else -> chat.map(::line)
        }
        return shownLines
    }

    fun editDraft(text: String) = mutable.update { it.copy(draft = text) }

    fun send() {
        val text = state.value.draft.trim()
        // A second tap while the first is on its way would send the line twice.
        if (text.isEmpty() || state.value.working) return
        perform(SessionCommand.SendChat(session, text)) { mutable.update { it.copy(draft = "") } }
    }

    fun viewScreen() = perform(SessionCommand.StartScreen(session, control = false))
    fun controlScreen() = perform(SessionCommand.StartScreen(session, control = true))
    fun stopScreen() = perform(SessionCommand.StopScreen(session))
    fun openShell() = perform(SessionCommand.StartShell(session))
    fun upgrade() = perform(SessionCommand.UpgradeToFullClient(session))

    /** Ask the customer client for its system information, then show what it reported. */
    fun systemInfo() = perform(SessionCommand.ViewSystemInfo(session)) {
        var last: ConsoleException? = null
        // The client reports after the request; ask until it has.
        repeat(20) {
            try {
                val info = console.systemInfo(session)
                mutable.update { it.copy(systemInfo = info) }
                return@perform
            } catch (e: ConsoleException) {
                last = e
                kotlinx.coroutines.delay(250)
            }
        }
        last?.let { e -> mutable.update { it.copy(message = e.shown) } }
    }

    fun dismissMessage() = mutable.update { it.copy(message = null) }

    private fun perform(command: SessionCommand, after: suspend () -> Unit = {}) {
        mutable.update { it.copy(working = true, message = null) }
        scope.launch {
            try {
                console.perform(command)
                after()
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(working = false) }
            }
        }
    }
}
