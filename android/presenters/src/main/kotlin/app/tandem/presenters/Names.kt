package app.tandem.presenters

import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Invitee
import app.tandem.console.api.Participant
import app.tandem.console.api.Queue

// How people, queues and invitations read on screen.

internal fun ConsoleSnapshot.nameOf(p: Participant, session: Long? = null): String = when (p) {
    is Participant.OfTechnician -> technician(p.id)?.name ?: "Technician ${p.id}"
    is Participant.OfExternal -> session?.let { session(it) }?.externals?.firstOrNull { it.id == p.id }?.name ?: "Guest"
    Participant.Customer -> session?.let { session(it) }?.customer?.name ?: "Customer"
}

internal fun ConsoleSnapshot.queueName(q: Queue): String = when (q) {
    is Queue.OfTeam -> team(q.team)?.name ?: "Team ${q.team}"
    is Queue.Personal -> if (q.technician == me) "My queue" else "${technician(q.technician)?.name ?: "Technician"}'s queue"
}

internal fun ConsoleSnapshot.inviteeText(i: Invitee): String = when (i) {
    is Invitee.OfTechnician -> technician(i.technician)?.name ?: "a technician"
    is Invitee.AnyRepresentative -> "anyone in ${team(i.team)?.name ?: "a team"}"
    is Invitee.HelpRequest -> "help with ${issues.firstOrNull { it.id == i.issue }?.name ?: "an issue"}"
    is Invitee.OfExternal -> i.name
}

/** "Available", "Away", or "Available (extended)", as presence reads in pickers. */
internal fun ConsoleSnapshot.presence(technician: Long): String {
    val t = technician(technician) ?: return ""
    return when {
        !t.online -> "Offline"
        t.extendedAvailability -> "Available (extended)"
        else -> "Available"
    }
}
