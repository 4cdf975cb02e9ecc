package app.tandem.console.impl

import app.tandem.console.api.ActionKind
import app.tandem.console.api.Certificate
import app.tandem.console.api.ChatLine
import app.tandem.console.api.ClientMode
import app.tandem.console.api.Connection
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Customer
import app.tandem.console.api.CustomerLink
import app.tandem.console.api.External
import app.tandem.console.api.ExternalLink
import app.tandem.console.api.Notice
import app.tandem.console.api.Invitation
import app.tandem.console.api.Invitee
import app.tandem.console.api.Issue
import app.tandem.console.api.JumpClient
import app.tandem.console.api.JumpLocation
import app.tandem.console.api.MenuAction
import app.tandem.console.api.Named
import app.tandem.console.api.Os
import app.tandem.console.api.Participant
import app.tandem.console.api.Policy
import app.tandem.console.api.Queue
import app.tandem.console.api.ScreenShare
import app.tandem.console.api.SessionKey
import app.tandem.console.api.SessionSummary
import app.tandem.console.api.SystemInfo
import app.tandem.console.api.Target
import app.tandem.console.api.Team
import app.tandem.console.api.Technician
import uniffi.tandem_ffi.ActionItem
import uniffi.tandem_ffi.ConnectionState
import uniffi.tandem_ffi.ChatItem
import uniffi.tandem_ffi.ConsoleChange
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.CustomerLinkItem
import uniffi.tandem_ffi.ExternalInvitationItem
import uniffi.tandem_ffi.FirstContactItem
import uniffi.tandem_ffi.InvitationItem
import uniffi.tandem_ffi.InviteeItem
import uniffi.tandem_ffi.IssueItem
import uniffi.tandem_ffi.JumpClientItem
import uniffi.tandem_ffi.JumpLocationItem
import uniffi.tandem_ffi.NamedItem
import uniffi.tandem_ffi.NoticeItem
import uniffi.tandem_ffi.ParticipantItem
import uniffi.tandem_ffi.Platform
import uniffi.tandem_ffi.PolicyItem
import uniffi.tandem_ffi.QueueItem
import uniffi.tandem_ffi.ScreenState
import uniffi.tandem_ffi.SessionItem
import uniffi.tandem_ffi.SessionKeyItem
import uniffi.tandem_ffi.SessionList
import uniffi.tandem_ffi.SessionStatusItem
import uniffi.tandem_ffi.SystemInfoItem
import uniffi.tandem_ffi.TandemException
import uniffi.tandem_ffi.TargetItem
import uniffi.tandem_ffi.TeamItem
import uniffi.tandem_ffi.TechnicianItem
import uniffi.tandem_ffi.ActionKind as FfiAction
import uniffi.tandem_ffi.ClientMode as FfiClientMode

// The one place that turns the generated records into the api's models, and back.

internal fun ConsoleState.toSnapshot() = ConsoleSnapshot(
    me = me.toLong(),
    connection = connection.toConnection(),
    technicians = technicians.toTechnicians(),
    teams = teams.toTeams(),
    sessions = sessions.map { it.toSummary() },
    queued = queued.map { it.toSummary() },
    incoming = incoming.map { it.toInvitation() },
    sent = sent.map { it.toInvitation() },
    policies = policies.toPolicies(),
    issues = issues.toIssues(),
    jumpGroups = jumpGroups.toNamed(),
    buttonProfiles = buttonProfiles.toNamed(),
    notices = notices.toNotices(),
    jumpClients = jumpClients.map { it.toJumpClient() },
)

/**
 * The snapshot after [change]: only what it names is mapped again. A session's new chat lines are
 * added to the chat it had; its other fields are replaced when the change carries them.
 */
internal fun ConsoleSnapshot.applying(change: ConsoleChange): ConsoleSnapshot {
    var sessions = sessions
    var queued = queued
    if (change.sessions.isNotEmpty() || change.removed.isNotEmpty()) {
        val mine = LinkedHashMap<Long, SessionSummary>().apply { sessions.forEach { put(it.id, it) } }
        val waiting = LinkedHashMap<Long, SessionSummary>().apply { queued.forEach { put(it.id, it) } }
        change.removed.forEach { mine.remove(it.toLong()); waiting.remove(it.toLong()) }
        for (c in change.sessions) {
            val id = c.id.toLong()
            val before = mine.remove(id) ?: waiting.remove(id)
            val base = c.summary?.toSummary() ?: before ?: continue
            val lines = c.newChat.map { it.toLine() }
            val chat = when {
                c.chatReplaced -> lines
                lines.isEmpty() -> before?.chat.orEmpty()
                else -> before?.chat.orEmpty() + lines
            }
            val after = base.copy(chat = chat)
            when (c.list) {
                SessionList.MINE -> mine[id] = after
                SessionList.QUEUED -> waiting[id] = after
            }
        }
        // In id order, as the full state lists them.
        sessions = mine.values.sortedBy { it.id }
        queued = waiting.values.sortedBy { it.id }
    }
    return copy(
        connection = change.connection?.toConnection() ?: connection,
        technicians = change.technicians?.toTechnicians() ?: technicians,
        teams = change.teams?.toTeams() ?: teams,
        sessions = sessions,
        queued = queued,
        incoming = change.incoming?.map { it.toInvitation() } ?: incoming,
        sent = change.sent?.map { it.toInvitation() } ?: sent,
        policies = change.policies?.toPolicies() ?: policies,
        issues = change.issues?.toIssues() ?: issues,
        jumpGroups = change.jumpGroups?.toNamed() ?: jumpGroups,
        buttonProfiles = change.buttonProfiles?.toNamed() ?: buttonProfiles,
        notices = change.notices?.toNotices() ?: notices,
        jumpClients = change.jumpClients?.map { it.toJumpClient() } ?: jumpClients,
    )
}

private fun ConnectionState.toConnection(): Connection = when (this) {
    is ConnectionState.Online -> Connection.Online
    is ConnectionState.Connecting -> Connection.Connecting(attempt.toInt())
    is ConnectionState.Offline -> Connection.Offline(reason, retryInMs.toLong())
}

private fun List<TechnicianItem>.toTechnicians() = map { Technician(it.id.toLong(), it.name, it.loggedIn, it.extendedAvailability) }
private fun List<TeamItem>.toTeams() = map { t -> Team(t.id.toLong(), t.name, t.members.map { it.toLong() }, t.enabled) }
private fun List<PolicyItem>.toPolicies() = map { Policy(it.id.toLong(), it.name, it.description) }
private fun List<IssueItem>.toIssues() = map { Issue(it.id.toLong(), it.name, it.team.toLong()) }
private fun List<NamedItem>.toNamed() = map { Named(it.id.toLong(), it.name) }
private fun List<NoticeItem>.toNotices() = map { Notice(it.seq, it.at, it.text) }
private fun ChatItem.toLine() = ChatLine(seq, at, from.toParticipant(), text)

internal fun QueueItem.toQueue(): Queue = when (this) {
    is QueueItem.Team -> Queue.OfTeam(team.toLong())
    is QueueItem.Personal -> Queue.Personal(technician.toLong())
}

internal fun Queue.toItem(): QueueItem = when (this) {
    is Queue.OfTeam -> QueueItem.Team(team.toULong())
    is Queue.Personal -> QueueItem.Personal(technician.toULong())
}

internal fun ParticipantItem.toParticipant(): Participant = when (this) {
    is ParticipantItem.Technician -> Participant.OfTechnician(id.toLong())
    is ParticipantItem.External -> Participant.OfExternal(id.toLong())
    is ParticipantItem.Customer -> Participant.Customer
}

internal fun Participant.toItem(): ParticipantItem = when (this) {
    is Participant.OfTechnician -> ParticipantItem.Technician(id.toULong())
    is Participant.OfExternal -> ParticipantItem.External(id.toULong())
    is Participant.Customer -> ParticipantItem.Customer
}

private fun SessionItem.toSummary() = SessionSummary(
    id = id.toLong(),
    queue = (status as? SessionStatusItem.Queued)?.queue?.toQueue(),
    ended = status is SessionStatusItem.Ended,
    owner = owner?.toLong(),
    members = members.map { it.toLong() },
    externals = externals.map { External(it.id.toLong(), it.name, it.invitedBy.toLong()) },
    customer = Customer(
        customer.name,
        customer.platform.toOs(),
        when (customer.mode) {
            FfiClientMode.CLICK_TO_CHAT -> ClientMode.CLICK_TO_CHAT
            FfiClientMode.FULL -> ClientMode.FULL
            FfiClientMode.ELEVATED -> ClientMode.ELEVATED
        },
        customer.connected,
        when (customer.link) {
            CustomerLinkItem.ONLINE -> CustomerLink.ONLINE
            CustomerLinkItem.RECONNECTING -> CustomerLink.RECONNECTING
            CustomerLinkItem.LEFT -> CustomerLink.LEFT
            CustomerLinkItem.CONNECTION_LOST -> CustomerLink.CONNECTION_LOST
            CustomerLinkItem.REMOVED -> CustomerLink.REMOVED
        },
    ),
    chatEnabled = chatEnabled,
    screen = when (screen) {
        ScreenState.OFF -> ScreenShare.OFF
        ScreenState.VIEW -> ScreenShare.VIEW
        ScreenState.CONTROL -> ScreenShare.CONTROL
    },
    shell = shell,
    chat = chat.map { it.toLine() },
    jumpClient = jumpClient?.toLong(),
    held = held,
)

private fun Platform.toOs(): Os = when (this) {
    Platform.WINDOWS -> Os.WINDOWS
    Platform.MAC_OS -> Os.MACOS
    Platform.LINUX -> Os.LINUX
    Platform.OTHER -> Os.OTHER
}

private fun JumpClientItem.toJumpClient() = JumpClient(
    id = id.toLong(),
    name = name,
    os = platform.toOs(),
    location = when (val l = location) {
        is JumpLocationItem.Personal -> JumpLocation.Personal(l.technician.toLong())
        is JumpLocationItem.Group -> JumpLocation.Group(l.group.toLong())
    },
)

internal fun SessionKeyItem.toSessionKey() = SessionKey(key, url, expiresAt)

private fun InvitationItem.toInvitation() = Invitation(
    id = id.toLong(),
    session = session.toLong(),
    inviter = inviter.toLong(),
    invitee = when (val i = invitee) {
        is InviteeItem.Technician -> Invitee.OfTechnician(i.technician.toLong())
        is InviteeItem.AnyRepresentative -> Invitee.AnyRepresentative(i.team.toLong())
        is InviteeItem.HelpRequest -> Invitee.HelpRequest(i.issue.toLong(), i.team.toLong())
        is InviteeItem.External -> Invitee.OfExternal(i.name)
    },
)

// Matched exhaustively: an action added to the engine fails this build until it is mapped here.
private fun FfiAction.toKind(): ActionKind = when (this) {
    FfiAction.SEND_CHAT -> ActionKind.SEND_CHAT
    FfiAction.TOGGLE_CHAT -> ActionKind.TOGGLE_CHAT
    FfiAction.PIN_CHAT -> ActionKind.PIN_CHAT
    FfiAction.VIEW_SCREEN -> ActionKind.VIEW_SCREEN
    FfiAction.CONTROL_SCREEN -> ActionKind.CONTROL_SCREEN
    FfiAction.COMMAND_SHELL -> ActionKind.COMMAND_SHELL
    FfiAction.SYSTEM_INFO -> ActionKind.SYSTEM_INFO
    FfiAction.UPGRADE_TO_FULL_CLIENT -> ActionKind.UPGRADE_TO_FULL_CLIENT
    FfiAction.ELEVATE_PROMPT_CUSTOMER -> ActionKind.ELEVATE_PROMPT_CUSTOMER
    FfiAction.ELEVATE_PROVIDE_CREDENTIALS -> ActionKind.ELEVATE_PROVIDE_CREDENTIALS
    FfiAction.TRANSFER_TO_TEAM -> ActionKind.TRANSFER_TO_TEAM
    FfiAction.TRANSFER_TO_TECHNICIAN -> ActionKind.TRANSFER_TO_TECHNICIAN
    FfiAction.SHARE_WITH_TECHNICIAN -> ActionKind.SHARE_WITH_TECHNICIAN
    FfiAction.SHARE_ANY_REPRESENTATIVE -> ActionKind.SHARE_ANY_REPRESENTATIVE
    FfiAction.REQUEST_HELP -> ActionKind.REQUEST_HELP
    FfiAction.INVITE_EXTERNAL -> ActionKind.INVITE_EXTERNAL
    FfiAction.CANCEL_INVITATION -> ActionKind.CANCEL_INVITATION
    FfiAction.REMOVE_MEMBER -> ActionKind.REMOVE_MEMBER
    FfiAction.DEPLOY_SUPPORT_BUTTON -> ActionKind.DEPLOY_SUPPORT_BUTTON
    FfiAction.REMOVE_SUPPORT_BUTTON -> ActionKind.REMOVE_SUPPORT_BUTTON
    FfiAction.PIN_JUMP_CLIENT -> ActionKind.PIN_JUMP_CLIENT
    FfiAction.UNPIN_JUMP_CLIENT -> ActionKind.UNPIN_JUMP_CLIENT
    FfiAction.END_SESSION -> ActionKind.END_SESSION
    FfiAction.HOLD_SESSION -> ActionKind.HOLD_SESSION
    FfiAction.LEAVE_SESSION -> ActionKind.LEAVE_SESSION
}

private fun TargetItem.toTarget(): Target = when (this) {
    is TargetItem.Team -> Target.OfTeam(id.toLong())
    is TargetItem.Technician -> Target.OfTechnician(id.toLong())
    is TargetItem.Issue -> Target.OfIssue(id.toLong())
    is TargetItem.Policy -> Target.OfPolicy(id.toLong())
    is TargetItem.Invitation -> Target.OfInvitation(id.toLong())
    is TargetItem.Member -> Target.Member(participant.toParticipant())
    is TargetItem.Queue -> Target.OfQueue(queue.toQueue())
    is TargetItem.JumpPersonal -> Target.JumpPersonal(technician.toLong())
    is TargetItem.JumpGroup -> Target.JumpGroup(group.toLong())
}

internal fun ActionItem.toMenuAction() = MenuAction(
    kind = action.toKind(),
    enabled = enabled,
    reason = reason,
    rule = rule,
    remedy = remedy?.toKind(),
    targets = targets.map { it.toTarget() },
)

internal fun FirstContactItem.toCertificate() =
    Certificate(name, version, publicUrl, announcedFingerprint, presentedFingerprint)

internal fun ExternalInvitationItem.toLink() = ExternalLink(link, policyName, policyDescription, mailedByAppliance)

internal fun SystemInfoItem.toSystemInfo() = SystemInfo(
    os, kernel, host, user, cpu, cpuCount.toInt(), memoryTotalMib.toLong(), memoryUsedMib.toLong(), disks, interfaces,
)

/** The one mapping of the bindings' error to the api's. */
internal fun TandemException.toConsoleException(): ConsoleException = when (this) {
    is TandemException.Refused -> ConsoleException(ConsoleException.Kind.REFUSED, detail, status.toInt(), rule, code)
    is TandemException.Network -> ConsoleException(ConsoleException.Kind.NETWORK, detail)
    is TandemException.Untrusted -> ConsoleException(ConsoleException.Kind.UNTRUSTED, detail)
    is TandemException.Protocol -> ConsoleException(ConsoleException.Kind.PROTOCOL, detail)
    is TandemException.Address -> ConsoleException(ConsoleException.Kind.ADDRESS, detail)
    is TandemException.Internal -> ConsoleException(ConsoleException.Kind.INTERNAL, detail)
}

/** Run a call into the bindings, turning their error into the api's. */
internal inline fun <T> mapped(call: () -> T): T = try {
    call()
} catch (e: TandemException) {
    throw e.toConsoleException()
}
