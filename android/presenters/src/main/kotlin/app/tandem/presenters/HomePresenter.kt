package app.tandem.presenters

import app.tandem.console.api.Connection
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.JumpLocation
import app.tandem.console.api.Os
import app.tandem.console.api.Queue
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.SessionKey
import app.tandem.console.api.SessionSummary
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/**
 * The technician's home: who they are and whether they are listed (S3, S4), their sessions and
 * those they held (C2), the queues they take from, invitations to answer, session keys for new
 * customers, and the jump clients they may start unattended sessions through (J1). Every action
 * goes to the appliance, which decides; nothing here re-checks a rule.
 */
class HomePresenter(private val console: Console, private val scope: CoroutineScope) {
    data class Row(val session: Long, val title: String, val detail: String, val os: Os? = null)
    data class QueueGroup(val name: String, val sessions: List<Row>)
    data class InvitationRow(val invitation: Long, val session: Long, val title: String, val detail: String)
    data class JumpRow(val jumpClient: Long, val name: String, val os: Os, val detail: String)
    data class JumpGroup(val name: String, val clients: List<JumpRow>)

    /** A queue a session key can lead to: the technician's own (team null) or one of their teams'. */
    data class KeyQueue(val team: Long?, val name: String)

    /** The session key sheet: where the customer will wait, then the key to give them. */
    data class KeySheet(
        val queues: List<KeyQueue>,
        val team: Long? = null,
        val working: Boolean = false,
        val key: SessionKey? = null,
        /** What Share and Copy give the customer: the key, where to use it, until when. */
        val message: String? = null,
        val expires: String? = null,
    )

    data class State(
        val me: String = "",
        val online: Boolean = false,
        val connection: String = "Connecting…",
        /** Listed for colleagues' invitations and, with [extendedAvailability], mailed too (S3, S4). */
        val presence: String = "",
        val extendedAvailability: Boolean = false,
        val mine: List<Row> = emptyList(),
        /** Sessions they held (C2), to resume. */
        val held: List<Row> = emptyList(),
        val queues: List<QueueGroup> = emptyList(),
        val invitations: List<InvitationRow> = emptyList(),
        /** Jump clients by where they are pinned, filtered by [jumpQuery]. */
        val jump: List<JumpGroup> = emptyList(),
        val jumpCount: Int = 0,
        val jumpQuery: String = "",
        val keySheet: KeySheet? = null,
        /** A session to open now (resumed, or started by a Jump); the screen calls [opened]. */
        val open: Long? = null,
        val signedOut: Boolean = false,
        /** Sessions, invitations and jump clients being answered: show progress, block a second tap. */
        val busy: Set<Long> = emptySet(),
        val message: String? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()
    private val notices = NoticeCursor(console.snapshot())
    private var last: ConsoleSnapshot = console.snapshot()

    init {
        show(console.snapshot())
        scope.launch { console.updates().collect { show(it) } }
    }

    private fun show(s: ConsoleSnapshot) {
        last = s
        // Outside `update`, whose block may run again when another update races it: the
        // cursor tells each notice once.
        val notice = notices.fresh(s)
        mutable.update { state ->
            val me = s.technician(s.me)
            state.copy(
                message = notice ?: state.message,
                me = me?.name ?: "",
                presence = when {
                    me == null -> ""
                    me.extendedAvailability -> "Available · extended"
                    me.online -> "Available"
                    else -> "Not listed"
                },
                extendedAvailability = me?.extendedAvailability == true,
                online = s.connection is Connection.Online,
                connection = when (val c = s.connection) {
                    Connection.Online -> "Online"
                    is Connection.Connecting -> "Connecting…"
                    is Connection.Offline -> "Offline: ${c.reason}"
                },
                mine = s.sessions.filter { !it.ended }.map {
                    Row(it.id, it.customer.name, if (it.owner == s.me) s.sessionDetail(it) else "Helping ${it.owner?.let { o -> s.technician(o)?.name } ?: ""}".trim(), it.customer.os)
                },
                held = s.queued.filter { it.held && it.queue == Queue.Personal(s.me) }.map {
                    Row(it.id, it.customer.name, "On hold · ${it.customer.os.shown}", it.customer.os)
                },
                // Personal queue first, then teams by name.
                queues = s.queued.filter { !(it.held && it.queue == Queue.Personal(s.me)) }.groupBy { it.queue }.entries
                    .sortedWith(compareBy({ it.key !is Queue.Personal }, { it.key?.let { q -> s.queueName(q) } ?: "" }))
                    .map { (queue, sessions) ->
                        QueueGroup(queue?.let { s.queueName(it) } ?: "Queue", sessions.map { Row(it.id, it.customer.name, "${it.customer.os.shown} · waiting", it.customer.os) })
                    },
                invitations = s.incoming.map { i ->
                    InvitationRow(
                        invitation = i.id,
                        session = i.session,
                        title = "${s.technician(i.inviter)?.name ?: "A technician"} invites ${s.inviteeText(i.invitee)}",
                        detail = s.session(i.session)?.customer?.name?.let { "Customer: $it" } ?: "Session ${i.session}",
                    )
                },
                jump = jumpGroups(s, state.jumpQuery),
                jumpCount = s.jumpClients.size,
            )
        }
    }

    private fun ConsoleSnapshot.sessionDetail(it: SessionSummary): String =
        listOfNotNull(it.customer.os.shown, if (it.jumpClient != null) "Unattended" else null, "Yours").joinToString(" · ")

    /** Personal jump clients first, then each jump group by name; a search matches names and groups. */
    private fun jumpGroups(s: ConsoleSnapshot, query: String): List<JumpGroup> {
        val q = query.trim()
        fun groupName(l: JumpLocation) = when (l) {
            is JumpLocation.Personal -> "My jump clients"
            is JumpLocation.Group -> s.jumpGroups.firstOrNull { it.id == l.group }?.name ?: "Jump group ${l.group}"
        }
        return s.jumpClients
            .filter { q.isEmpty() || it.name.contains(q, ignoreCase = true) || groupName(it.location).contains(q, ignoreCase = true) || it.os.shown.contains(q, ignoreCase = true) }
            .groupBy { it.location }
            .entries
            .sortedWith(compareBy({ it.key !is JumpLocation.Personal }, { groupName(it.key) }))
            .map { (location, clients) ->
                JumpGroup(groupName(location), clients.sortedBy { it.name.lowercase() }.map { JumpRow(it.id, it.name, it.os, it.os.shown) })
            }
    }

    fun take(session: Long) = act(session) { SessionCommand.AcceptFromQueue(session) }

    /** Take a held session back (C2) and open it. */
    fun resume(session: Long) = act(session, open = { session }) { SessionCommand.AcceptFromQueue(session) }
    fun accept(invitation: Long) = act(invitation) { SessionCommand.AcceptInvitation(invitation) }
    fun decline(invitation: Long) = act(invitation) { SessionCommand.DeclineInvitation(invitation) }
    fun dismissMessage() = mutable.update { it.copy(message = null) }
    fun opened() = mutable.update { it.copy(open = null) }

    /** Listed and mailed even while signed out (S3, S4), or only while a console is connected. */
    fun setExtendedAvailability(on: Boolean) = act(EXTENDED) { SessionCommand.SetExtendedAvailability(on) }

    fun searchJump(query: String) = mutable.update { it.copy(jumpQuery = query, jump = jumpGroups(last, query)) }

    /** Start an unattended session through a jump client (J1), then open it. */
    fun jump(jumpClient: Long) {
        if (jumpClient in state.value.busy) return
        mutable.update { it.copy(busy = it.busy + jumpClient, message = null) }
        scope.launch {
            try {
                val session = console.startJump(jumpClient)
                mutable.update { it.copy(open = session) }
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(busy = it.busy - jumpClient) }
            }
        }
    }

    /** Open the session key sheet: the technician's own queue first, then their enabled teams'. */
    fun newSessionKey() {
        val s = last
        val teams = s.teams.filter { s.me in it.members && it.enabled }.sortedBy { it.name }.map { KeyQueue(it.id, it.name) }
        mutable.update { it.copy(keySheet = KeySheet(listOf(KeyQueue(null, "My queue")) + teams)) }
    }

    fun chooseKeyQueue(team: Long?) = mutable.update { st -> st.copy(keySheet = st.keySheet?.copy(team = team, key = null, message = null, expires = null)) }

    fun makeSessionKey() {
        val sheet = state.value.keySheet ?: return
        if (sheet.working) return
        mutable.update { it.copy(keySheet = sheet.copy(working = true)) }
        scope.launch {
            try {
                val key = console.sessionKey(sheet.team)
                val until = expiry(key.expiresAtMs)
                mutable.update { st ->
                    st.copy(keySheet = st.keySheet?.copy(working = false, key = key, expires = until, message = customerMessage(key, until)))
                }
            } catch (e: ConsoleException) {
                mutable.update { st -> st.copy(keySheet = st.keySheet?.copy(working = false), message = e.shown) }
            }
        }
    }

    fun closeSessionKey() = mutable.update { it.copy(keySheet = null) }

    fun signOut() {
        if (SIGN_OUT in state.value.busy) return
        mutable.update { it.copy(busy = it.busy + SIGN_OUT) }
        scope.launch {
            try {
                console.signOut()
            } catch (e: ConsoleException) {
                // Signed out here either way: the appliance ends the token when it hears of it,
                // and this console stops listening now.
            }
            mutable.update { it.copy(signedOut = true, busy = it.busy - SIGN_OUT) }
        }
    }

    private fun act(id: Long, open: (() -> Long)? = null, command: () -> SessionCommand) {
        if (id in state.value.busy) return
        mutable.update { it.copy(busy = it.busy + id, message = null) }
        scope.launch {
            try {
                console.perform(command())
                if (open != null) mutable.update { it.copy(open = open()) }
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(busy = it.busy - id) }
            }
        }
    }

    companion object {
        /** Busy markers for actions that have no id of their own (ids from the appliance are positive). */
        const val EXTENDED = -1L
        const val SIGN_OUT = -2L

        /** What a technician sends a customer: the key, where to use it, and until when. */
        fun customerMessage(key: SessionKey, until: String): String =
            "Your support session link: ${key.url} (session key ${key.key}). It works once, until $until."
    }
}
