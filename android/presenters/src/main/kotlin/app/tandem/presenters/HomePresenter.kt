package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Queue
import app.tandem.console.api.SessionCommand
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The technician's home: their sessions, the queues they take from, and invitations to answer. */
class HomePresenter(private val console: Console, private val scope: CoroutineScope) {
    data class Row(val session: Long, val title: String, val detail: String)
    data class QueueGroup(val name: String, val sessions: List<Row>)
    data class InvitationRow(val invitation: Long, val session: Long, val title: String, val detail: String)

    data class State(
        val online: Boolean = false,
        val connection: String = "Connecting…",
        val mine: List<Row> = emptyList(),
        val queues: List<QueueGroup> = emptyList(),
        val invitations: List<InvitationRow> = emptyList(),
        /** Sessions and invitations being answered: show progress, block a second tap. */
        val busy: Set<Long> = emptySet(),
        val message: String? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()
    private val notices = NoticeCursor(console.snapshot())

    init {
        show(console.snapshot())
        scope.launch { console.updates().collect { show(it) } }
    }

    private fun show(s: ConsoleSnapshot) = mutable.update { state ->
        state.copy(
            message = notices.fresh(s) ?: state.message,
            online = s.connection is app.tandem.console.api.Connection.Online,
            connection = when (val c = s.connection) {
                app.tandem.console.api.Connection.Online -> "Online"
                is app.tandem.console.api.Connection.Connecting -> "Connecting…"
                is app.tandem.console.api.Connection.Offline -> "Offline: ${c.reason}"
            },
            mine = s.sessions.filter { !it.ended }.map {
                Row(it.id, it.customer.name, if (it.owner == s.me) "Yours" else "Helping ${it.owner?.let { o -> s.technician(o)?.name } ?: ""}".trim())
            },
            // Personal queue first, then teams by name.
            queues = s.queued.groupBy { it.queue }.entries
                .sortedWith(compareBy({ it.key !is Queue.Personal }, { it.key?.let { q -> s.queueName(q) } ?: "" }))
                .map { (queue, sessions) ->
                    QueueGroup(queue?.let { s.queueName(it) } ?: "Queue", sessions.map { Row(it.id, it.customer.name, "${it.customer.platform} · waiting") })
                },
            invitations = s.incoming.map { i ->
                InvitationRow(
                    invitation = i.id,
                    session = i.session,
                    title = "${s.technician(i.inviter)?.name ?: "A technician"} invites ${s.inviteeText(i.invitee)}",
                    detail = s.session(i.session)?.customer?.name?.let { "Customer: $it" } ?: "Session ${i.session}",
                )
            },
        )
    }

    fun take(session: Long) = act(session) { SessionCommand.AcceptFromQueue(session) }
    fun accept(invitation: Long) = act(invitation) { SessionCommand.AcceptInvitation(invitation) }
    fun decline(invitation: Long) = act(invitation) { SessionCommand.DeclineInvitation(invitation) }
    fun dismissMessage() = mutable.update { it.copy(message = null) }

    private fun act(id: Long, command: () -> SessionCommand) {
        if (id in state.value.busy) return
        mutable.update { it.copy(busy = it.busy + id, message = null) }
        scope.launch {
            try {
                console.perform(command())
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(busy = it.busy - id) }
            }
        }
    }
}
