package app.tandem.console.api

/** What a signed-in technician's console shows: the rules engine's view of the organisation for them. */
data class ConsoleSnapshot(
    val me: Long,
    val connection: Connection,
    val technicians: List<Technician>,
    val teams: List<Team>,
    /** Sessions they are in (as owner or member). */
    val sessions: List<SessionSummary>,
    /** Sessions waiting in queues they may take from: their personal queue and their teams'. */
    val queued: List<SessionSummary>,
    /** Invitations addressed to them. */
    val incoming: List<Invitation>,
    /** Invitations they sent that are still open. */
    val sent: List<Invitation>,
    val policies: List<Policy>,
    val issues: List<Issue>,
    val jumpGroups: List<Named>,
    val buttonProfiles: List<Named>,
    /** Jump clients they may start unattended sessions through (J1): personal and their groups'. */
    val jumpClients: List<JumpClient> = emptyList(),
    /** What the appliance told this technician alone (a mail not sent), oldest first. */
    val notices: List<Notice> = emptyList(),
) {
    fun technician(id: Long): Technician? = technicians.firstOrNull { it.id == id }
    fun team(id: Long): Team? = teams.firstOrNull { it.id == id }
    fun session(id: Long): SessionSummary? = sessions.firstOrNull { it.id == id } ?: queued.firstOrNull { it.id == id }
}

/** Something the appliance told the technician alone. */
data class Notice(val seq: Long, val at: Long, val text: String)

/** The live connection to the appliance. */
sealed interface Connection {
    data object Online : Connection
    data class Connecting(val attempt: Int) : Connection
    data class Offline(val reason: String, val retryInMs: Long) : Connection
}

data class Technician(val id: Long, val name: String, val online: Boolean, val extendedAvailability: Boolean)

data class Team(val id: Long, val name: String, val members: List<Long>, val enabled: Boolean)

/** A queue: a team's, or a technician's personal one. */
sealed interface Queue {
    data class OfTeam(val team: Long) : Queue
    data class Personal(val technician: Long) : Queue
}

/** Someone in a session. */
sealed interface Participant {
    data class OfTechnician(val id: Long) : Participant
    data class OfExternal(val id: Long) : Participant
    data object Customer : Participant
}

enum class ScreenShare { OFF, VIEW, CONTROL }

/** Whether the customer's client is reachable, as the appliance recorded it (issue 12). */
enum class CustomerLink { ONLINE, RECONNECTING, REMOVED, LEFT, CONNECTION_LOST }

/** The supported computer's operating system (E4). */
enum class Os { WINDOWS, MACOS, LINUX, OTHER }

/** What the customer client can do (E1, E2). */
enum class ClientMode { CLICK_TO_CHAT, FULL, ELEVATED }

data class Customer(
    val name: String,
    val os: Os,
    val mode: ClientMode,
    val connected: Boolean,
    val link: CustomerLink = if (connected) CustomerLink.ONLINE else CustomerLink.REMOVED,
)

data class External(val id: Long, val name: String, val invitedBy: Long)

data class ChatLine(val seq: Long, val at: Long, val from: Participant, val text: String)

data class SessionSummary(
    val id: Long,
    /** Where it waits, while queued. */
    val queue: Queue?,
    val ended: Boolean,
    val owner: Long?,
    val members: List<Long>,
    val externals: List<External>,
    val customer: Customer,
    val chatEnabled: Boolean,
    val screen: ScreenShare,
    val shell: Boolean,
    val chat: List<ChatLine>,
    /** For an unattended session, the jump client it runs through (J1). */
    val jumpClient: Long? = null,
    /** Held by its owner (C2), waiting in their queue to be resumed. */
    val held: Boolean = false,
)

/** Where a jump client is pinned (J1). */
sealed interface JumpLocation {
    data class Personal(val technician: Long) : JumpLocation
    data class Group(val group: Long) : JumpLocation
}

/** A computer the technician may reach without anyone there (J1). */
data class JumpClient(val id: Long, val name: String, val os: Os, val location: JumpLocation)

/** Where the account stands with two-step sign-in (issue 26): on, being set up, required by one of its groups. */
data class TwoStep(val enabled: Boolean, val pending: Boolean, val required: Boolean)

/** Two-step sign-in being set up: the key to type into an authenticator app, and the otpauth:// address that opens it there. */
class TwoStepSetup(val key: String, val url: String) {
    override fun toString() = "TwoStepSetup(…)" // the key never reaches a log
}

/** A single-use key a customer types (or opens as a link) to join the technician's queue. */
data class SessionKey(val key: String, val url: String, val expiresAtMs: Long)

/** Whom an invitation is for. */
sealed interface Invitee {
    data class OfTechnician(val technician: Long) : Invitee
    data class AnyRepresentative(val team: Long) : Invitee
    data class HelpRequest(val issue: Long, val team: Long) : Invitee
    data class OfExternal(val name: String) : Invitee
}

data class Invitation(val id: Long, val session: Long, val inviter: Long, val invitee: Invitee)

/** A security policy for external users, with the description shown before choosing it (G4). */
data class Policy(val id: Long, val name: String, val description: String)

/** A support issue: Request Help goes to its team (S3). */
data class Issue(val id: Long, val name: String, val team: Long)

data class Named(val id: Long, val name: String)

/** What an appliance presents before it is trusted: pin [presented] on first use. */
data class Certificate(
    val name: String,
    val version: String,
    val publicUrl: String,
    val announced: String?,
    val presented: String,
)

/** The link an external user joins with (X1–X3). */
data class ExternalLink(
    val link: String,
    val policyName: String,
    val policyDescription: String,
    /** The appliance mailed it (X3): the technician need not send it. */
    val mailedByAppliance: Boolean,
)

data class SystemInfo(
    val os: String,
    val kernel: String,
    val host: String,
    val user: String,
    val cpu: String,
    val cpuCount: Int,
    val memoryTotalMib: Long,
    val memoryUsedMib: Long,
    val disks: List<String>,
    val interfaces: List<String>,
)

/** The customer's screen as last painted: B G R A bytes per pixel; read as little-endian Ints, Android's ARGB colour ints. */
class Frame(val seq: Long, val width: Int, val height: Int, val pixels: ByteArray)
