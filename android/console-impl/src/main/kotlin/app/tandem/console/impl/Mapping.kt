package app.tandem.console.impl

import app.tandem.console.api.ActionKind
import app.tandem.console.api.Certificate
import app.tandem.console.api.ChatLine
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
import app.tandem.console.api.MenuAction
import app.tandem.console.api.Named
import app.tandem.console.api.Participant
import app.tandem.console.api.Policy
import app.tandem.console.api.Queue
import app.tandem.console.api.ScreenShare
import app.tandem.console.api.SessionSummary
import app.tandem.console.api.SystemInfo
import app.tandem.console.api.Target
import app.tandem.console.api.Team
import app.tandem.console.api.Technician
import uniffi.tandem_ffi.ActionItem
import uniffi.tandem_ffi.ConnectionState
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.ExternalInvitationItem
import uniffi.tandem_ffi.FirstContactItem
import uniffi.tandem_ffi.InvitationItem
import uniffi.tandem_ffi.InviteeItem
import uniffi.tandem_ffi.ParticipantItem
import uniffi.tandem_ffi.QueueItem
import uniffi.tandem_ffi.SessionItem
import uniffi.tandem_ffi.SessionStatusItem
import uniffi.tandem_ffi.SystemInfoItem
import uniffi.tandem_ffi.TandemException
import uniffi.tandem_ffi.TargetItem
import uniffi.tandem_ffi.ActionKind as FfiAction

// The one place that turns the generated records into the api's models, and back.

internal fun ConsoleState.toSnapshot() = ConsoleSnapshot(
    me = me.toLong(),
    connection = when (val c = connection) {
        is ConnectionState.Online -> Connection.Online
        is ConnectionState.Connecting -> Connection.Connecting(c.attempt.toInt())
        is ConnectionState.Offline -> Connection.Offline(c.reason, c.retryInMs.toLong())
    },
    technicians = technicians.map { Technician(it.id.toLong(), it.name, it.loggedIn, it.extendedAvailability) },
    teams = teams.map { t -> Team(t.id.toLong(), t.name, t.members.map { it.toLong() }, t.enabled) },
    sessions = sessions.map { it.toSummary() },
    queued = queued.map { it.toSummary() },
    incoming = incoming.map { it.toInvitation() },
    sent = sent.map { it.toInvitation() },
    policies = policies.map { Policy(it.id.toLong(), it.name, it.description) },
    issues = issues.map { Issue(it.id.toLong(), it.name, it.team.toLong()) },
    jumpGroups = jumpGroups.map { Named(it.id.toLong(), it.name) },
    buttonProfiles = buttonProfiles.map { Named(it.id.toLong(), it.name) },
    notices = notices.map { Notice(it.seq, it.at, it.text) },
)

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
        customer.platform,
        customer.mode,
        customer.connected,
        when (customer.link) {
            "Reconnecting" -> CustomerLink.RECONNECTING
            "Left" -> CustomerLink.LEFT
            "ConnectionLost" -> CustomerLink.CONNECTION_LOST
            "Removed" -> CustomerLink.REMOVED
            else -> CustomerLink.ONLINE
        },
    ),
    chatEnabled = chatEnabled,
    screen = when (screen) {
        "View" -> ScreenShare.VIEW
        "Control" -> ScreenShare.CONTROL
        else -> ScreenShare.OFF
    },
    shell = shell,
    chat = chat.map { ChatLine(it.seq, it.at, it.from.toParticipant(), it.text) },
)

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

private fun FfiAction.toKind(): ActionKind = ActionKind.valueOf(name)

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
    is TandemException.Refused -> ConsoleException(ConsoleException.Kind.REFUSED, detail, status.toInt(), rule)
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
