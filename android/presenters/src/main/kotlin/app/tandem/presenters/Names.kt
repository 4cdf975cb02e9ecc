package app.tandem.presenters

import app.tandem.console.api.ClientMode
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Invitee
import app.tandem.console.api.Os
import app.tandem.console.api.Participant
import app.tandem.console.api.Queue
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.format.DateTimeFormatter

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

/** Operating systems as people write them. */
val Os.shown: String
    get() = when (this) {
        Os.WINDOWS -> "Windows"
        Os.MACOS -> "macOS"
        Os.LINUX -> "Linux"
        Os.OTHER -> "Other system"
    }

/** What the customer's client can do, in words (E1, E2). */
val ClientMode.shown: String
    get() = when (this) {
        ClientMode.CLICK_TO_CHAT -> "Chat only"
        ClientMode.FULL -> "Full client"
        ClientMode.ELEVATED -> "Administrator"
    }

/** A moment as the phone's clock shows it: "14:05", with the date when it is not today. */
internal fun expiry(atMs: Long, zone: ZoneId = ZoneId.systemDefault(), today: LocalDate = LocalDate.now(zone)): String {
    val at = Instant.ofEpochMilli(atMs).atZone(zone)
    val time = at.format(DateTimeFormatter.ofPattern("HH:mm"))
    return if (at.toLocalDate() == today) time else "${at.format(DateTimeFormatter.ofPattern("d MMM"))} $time"
}
