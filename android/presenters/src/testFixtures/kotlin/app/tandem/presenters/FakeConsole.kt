package app.tandem.presenters

import app.tandem.console.api.ActionKind
import app.tandem.console.api.ClientMode
import app.tandem.console.api.Connection
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Customer
import app.tandem.console.api.ExternalLink
import app.tandem.console.api.Issue
import app.tandem.console.api.JumpClient
import app.tandem.console.api.JumpLocation
import app.tandem.console.api.MenuAction
import app.tandem.console.api.Named
import app.tandem.console.api.Os
import app.tandem.console.api.Policy
import app.tandem.console.api.Queue
import app.tandem.console.api.ScreenShare
import app.tandem.console.api.ScreenStream
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.SessionKey
import app.tandem.console.api.SessionSummary
import app.tandem.console.api.ShellStream
import app.tandem.console.api.SystemInfo
import app.tandem.console.api.Target
import app.tandem.console.api.Team
import app.tandem.console.api.Technician
import app.tandem.console.api.TwoStep
import app.tandem.console.api.TwoStepSetup
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow

/** A console for presenter and UI tests: a scripted snapshot and menu, and a record of what was asked. */
class FakeConsole(
    snapshot: ConsoleSnapshot = demoSnapshot(),
    var menus: Map<Long, List<MenuAction>> = mapOf(SESSION to demoMenu()),
) : Console {
    val snapshots = MutableStateFlow(snapshot)
    val performed = mutableListOf<SessionCommand>()
    val invites = mutableListOf<List<Any?>>()
    /** The next perform or invite fails with this. */
    var refuseNext: ConsoleException? = null
    var mailsLinks = false

    override val me: Long get() = snapshots.value.me
    override fun snapshot() = snapshots.value
    override fun updates(): Flow<ConsoleSnapshot> = snapshots
    override suspend fun menu(session: Long) = menus[session].orEmpty()

    private fun refusal() = refuseNext?.also { refuseNext = null }

    override suspend fun perform(command: SessionCommand) {
        refusal()?.let { throw it }
        performed += command
    }

    override suspend fun inviteExternal(session: Long, policy: Long, name: String, comments: String, email: String?): ExternalLink {
        refusal()?.let { throw it }
        invites += listOf(session, policy, name, comments, email)
        val p = snapshots.value.policies.first { it.id == policy }
        return ExternalLink("https://support.example/join/TOKEN-$name", p.name, p.description, mailsLinks && email != null)
    }

    /** The queues session keys were asked for (null: the technician's own). */
    val keys = mutableListOf<Long?>()
    override suspend fun sessionKey(team: Long?): SessionKey {
        refusal()?.let { throw it }
        keys += team
        return SessionKey("K3Y${keys.size}", "https://support.example/customer?key=K3Y${keys.size}", KEY_EXPIRES)
    }

    /** Two-step sign-in: off until [confirmTwoStep] gets "123456" after [startTwoStep]. */
    var twoStepState = TwoStep(enabled = false, pending = false, required = false)
    override suspend fun twoStep() = twoStepState
    override suspend fun startTwoStep(): TwoStepSetup {
        twoStepState = twoStepState.copy(pending = true)
        return TwoStepSetup("JBSWY3DPEHPK3PXP", "otpauth://totp/Tandem:alice%40demo.tandem?secret=JBSWY3DPEHPK3PXP&issuer=Tandem")
    }
    override suspend fun confirmTwoStep(code: String): List<String> {
        if (code != "123456") throw ConsoleException(ConsoleException.Kind.REFUSED, "That code is not right", 401, null, "unauthorized")
        twoStepState = TwoStep(enabled = true, pending = false, required = twoStepState.required)
        return List(10) { "code$it-abcde" }
    }

    /** The jump clients Jump was asked for; each starts session [JUMP_SESSION]. */
    val jumps = mutableListOf<Long>()
    override suspend fun startJump(jumpClient: Long): Long {
        refusal()?.let { throw it }
        jumps += jumpClient
        return JUMP_SESSION
    }
    override suspend fun systemInfo(session: Long) =
        SystemInfo("Debian 12", "6.1", "kims-pc", "kim", "Ryzen", 8, 16000, 4000, listOf("/: 10 MiB free of 20 MiB"), listOf("eth0: 192.0.2.7/24"))
    /** The screen [openScreen] gives, if the test set one. */
    var screen: ScreenStream? = null
    override suspend fun openScreen(session: Long): ScreenStream =
        screen ?: throw ConsoleException(ConsoleException.Kind.REFUSED, "The customer's screen is not being shared", 403, "A1")
    /** The shell [openShell] gives, if the test set one. */
    var shell: ShellStream? = null
    override suspend fun openShell(session: Long): ShellStream =
        shell ?: throw ConsoleException(ConsoleException.Kind.REFUSED, "The command shell is not open", 403, "A1")
    var signedOut = false
    override suspend fun signOut() {
        signedOut = true
    }

    companion object {
        const val SESSION = 10L
        const val ME = 1L
        const val JUMP_SESSION = 13L
        /** 2026-12-02 14:05 UTC. */
        const val KEY_EXPIRES = 1_796_220_300_000L

        fun demoSnapshot() = ConsoleSnapshot(
            me = ME,
            connection = Connection.Online,
            technicians = listOf(
                Technician(ME, "Alice Archer", true, false),
                Technician(2, "Bob Baker", true, true),
                Technician(3, "Carol Chen", false, false),
                Technician(4, "Dave Dunn", true, false),
            ),
            teams = listOf(Team(20, "Service Desk", listOf(ME, 2, 3), true), Team(21, "Servers", listOf(4), true)),
            sessions = listOf(
                SessionSummary(SESSION, null, false, ME, emptyList(), emptyList(), Customer("Kim", Os.LINUX, ClientMode.FULL, true), true, ScreenShare.OFF, false, emptyList()),
            ),
            queued = listOf(
                SessionSummary(11, Queue.Personal(ME), false, null, emptyList(), emptyList(), Customer("Lee", Os.WINDOWS, ClientMode.FULL, true), true, ScreenShare.OFF, false, emptyList()),
                SessionSummary(12, Queue.OfTeam(20), false, null, emptyList(), emptyList(), Customer("Max", Os.MACOS, ClientMode.FULL, true), true, ScreenShare.OFF, false, emptyList()),
            ),
            incoming = emptyList(),
            sent = emptyList(),
            policies = listOf(
                Policy(30, "View only", "Sees the customer's screen and chats. Cannot control the screen, open a shell, or transfer files."),
                Policy(31, "Vendor engineer", "Sees and controls the screen and may open a command shell."),
            ),
            issues = listOf(Issue(40, "Printing", 20), Issue(41, "Servers", 21)),
            jumpGroups = listOf(Named(50, "Branch offices"), Named(51, "Data centre")),
            buttonProfiles = listOf(Named(60, "Standard")),
            jumpClients = listOf(
                JumpClient(80, "Reception PC", Os.WINDOWS, JumpLocation.Group(50)),
                JumpClient(81, "Kim's laptop", Os.LINUX, JumpLocation.Personal(ME)),
                JumpClient(82, "Back office Mac", Os.MACOS, JumpLocation.Group(50)),
                JumpClient(83, "build-07", Os.LINUX, JumpLocation.Group(51)),
            ),
        )

        private fun on(kind: ActionKind, vararg targets: Target) = MenuAction(kind, true, null, null, null, targets.toList())
        private fun off(kind: ActionKind, reason: String, rule: String) = MenuAction(kind, false, reason, rule, null, emptyList())

        /** The menu of Alice's own session: most things allowed, a few greyed with the engine's reasons. */
        fun demoMenu() = listOf(
            off(ActionKind.ELEVATE_PROMPT_CUSTOMER, "The customer client is not running as a full client", "E2"),
            on(ActionKind.ELEVATE_PROVIDE_CREDENTIALS),
            on(ActionKind.TRANSFER_TO_TEAM, Target.OfTeam(20), Target.OfTeam(21)),
            on(ActionKind.TRANSFER_TO_TECHNICIAN, Target.OfTechnician(2), Target.OfTechnician(4)),
            on(ActionKind.REQUEST_HELP, Target.OfIssue(40), Target.OfIssue(41)),
            on(ActionKind.SHARE_WITH_TECHNICIAN, Target.OfTechnician(2), Target.OfTechnician(3), Target.OfTechnician(4)),
            on(ActionKind.SHARE_ANY_REPRESENTATIVE, Target.OfTeam(20)),
            on(ActionKind.INVITE_EXTERNAL, Target.OfPolicy(30), Target.OfPolicy(31)),
            off(ActionKind.CANCEL_INVITATION, "There is no open invitation to cancel", "S7"),
            off(ActionKind.REMOVE_MEMBER, "Nobody else is in the session", "M1"),
            on(ActionKind.DEPLOY_SUPPORT_BUTTON, Target.OfQueue(Queue.Personal(ME)), Target.OfQueue(Queue.OfTeam(20))),
            off(ActionKind.REMOVE_SUPPORT_BUTTON, "No support button is installed on this computer", "B1"),
            on(ActionKind.PIN_JUMP_CLIENT, Target.JumpPersonal(ME), Target.JumpGroup(50)),
            off(ActionKind.UNPIN_JUMP_CLIENT, "This computer has no jump client", "J1"),
            on(ActionKind.TOGGLE_CHAT),
            on(ActionKind.END_SESSION),
            on(ActionKind.HOLD_SESSION),
            off(ActionKind.LEAVE_SESSION, "The owner ends or holds the session", "C2"),
            on(ActionKind.VIEW_SCREEN),
            on(ActionKind.CONTROL_SCREEN),
            on(ActionKind.COMMAND_SHELL),
            on(ActionKind.SYSTEM_INFO),
            off(ActionKind.UPGRADE_TO_FULL_CLIENT, "The customer already runs the full client", "E1"),
        )
    }
}
