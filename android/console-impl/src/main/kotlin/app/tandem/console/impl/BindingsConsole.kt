package app.tandem.console.impl

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.ExternalLink
import app.tandem.console.api.MenuAction
import app.tandem.console.api.ScreenStream
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.SessionKey
import app.tandem.console.api.SessionCommand.*
import app.tandem.console.api.ShellStream
import app.tandem.console.api.SystemInfo
import app.tandem.console.api.Target
import app.tandem.console.api.TwoStep
import app.tandem.console.api.TwoStepSetup
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.trySendBlocking
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.flow.scan
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.withContext
import uniffi.tandem_ffi.ConsoleChange
import uniffi.tandem_ffi.ConsoleListener
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.TandemConsole

/**
 * The [Console] over the Rust core's `TandemConsole`. No rule lives here: the core decides.
 *
 * One observation of the core for the console's lifetime, shared by every collector as one
 * [StateFlow] (element-x's one subscription per source): the core sends the whole state once,
 * then only what changed, which is applied here to the snapshot the collectors share.
 */
internal class BindingsConsole(private val console: TandemConsole) : Console {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val first = console.state()
    override val me: Long = first.me.toLong()

    // Changes must be applied in order and none skipped: they queue unbounded (each is small),
    // and are applied on one coroutine, off the main thread.
    private val shared: StateFlow<ConsoleSnapshot> = callbackFlow<Any> {
        val observation = console.observe(object : ConsoleListener {
            override fun onState(state: ConsoleState) {
                trySendBlocking(state)
            }

            override fun onChange(change: ConsoleChange) {
                trySendBlocking(change)
            }
        })
        awaitClose {
            observation.cancel()
            observation.close()
        }
    }.buffer(Channel.UNLIMITED)
        .scan(first.toSnapshot()) { snapshot, message ->
            when (message) {
                is ConsoleState -> message.toSnapshot()
                is ConsoleChange -> snapshot.applying(message)
                else -> snapshot
            }
        }
        .stateIn(scope, SharingStarted.Eagerly, first.toSnapshot())

    override fun snapshot(): ConsoleSnapshot = shared.value

    override fun updates(): Flow<ConsoleSnapshot> = shared

    // The rules engine's menu is computed by the core from its mirror: off the main thread.
    override suspend fun menu(session: Long): List<MenuAction> =
        withContext(Dispatchers.Default) { console.actions(session.toULong()).map { it.toMenuAction() } }

    override suspend fun perform(command: SessionCommand): Unit = mapped {
        when (command) {
            is AcceptFromQueue -> console.acceptFromQueue(command.session.toULong())
            is SendChat -> console.sendChat(command.session.toULong(), command.text)
            is SetChat -> console.setChat(command.session.toULong(), command.enabled)
            is SetChatPinned -> console.setChatPinned(command.session.toULong(), command.pinned)
            is StartScreen -> console.startScreen(command.session.toULong(), command.control)
            is StopScreen -> console.stopScreen(command.session.toULong())
            is StartShell -> console.startShell(command.session.toULong())
            is StopShell -> console.stopShell(command.session.toULong())
            is ViewSystemInfo -> console.viewSystemInfo(command.session.toULong())
            is UpgradeToFullClient -> console.upgradeToFullClient(command.session.toULong())
            is ElevatePromptCustomer -> console.elevatePromptCustomer(command.session.toULong())
            is ElevateWithCredentials ->
                // E3: the credentials go to the customer client only; if none is connected the
                // technician must hear that nothing happened rather than wait for an elevation.
                if (!console.elevateWithCredentials(command.session.toULong(), command.username, command.password)) {
                    throw ConsoleException(ConsoleException.Kind.REFUSED, "The customer's computer is not connected, so the credentials were not sent")
                }
            is TransferToTeam -> console.transferToTeam(command.session.toULong(), command.team.toULong())
            is TransferToTechnician -> console.transferToTechnician(command.session.toULong(), command.technician.toULong())
            is InviteTechnician -> console.inviteTechnician(command.session.toULong(), command.technician.toULong())
            is InviteAnyRepresentative -> console.inviteAnyRepresentative(command.session.toULong(), command.team.toULong())
            is RequestHelp -> console.requestHelp(command.session.toULong(), command.issue.toULong())
            is CancelInvitation -> console.cancelInvitation(command.invitation.toULong())
            is AcceptInvitation -> console.acceptInvitation(command.invitation.toULong())
            is DeclineInvitation -> console.declineInvitation(command.invitation.toULong())
            is RemoveMember -> console.removeMember(command.session.toULong(), command.member.toItem())
            is DeploySupportButton -> console.deploySupportButton(
                command.session.toULong(), command.name, command.expiresAtMs.toULong(), command.profile.toULong(), command.queue.toItem(),
            )
            is RemoveSupportButton -> console.removeSupportButton(command.session.toULong())
            is PinJumpClient -> console.pinJumpClient(
                command.session.toULong(),
                (command.location as? Target.JumpGroup)?.group?.toULong(),
            )
            is UnpinJumpClient -> console.unpinJumpClient(command.session.toULong())
            is Hold -> console.hold(command.session.toULong())
            is End -> console.end(command.session.toULong())
            is Leave -> console.leave(command.session.toULong())
            is SetExtendedAvailability -> console.setExtendedAvailability(command.on)
        }
    }

    override suspend fun inviteExternal(session: Long, policy: Long, name: String, comments: String, email: String?): ExternalLink =
        mapped { console.inviteExternal(session.toULong(), policy.toULong(), name, email, comments).toLink() }

    override suspend fun sessionKey(team: Long?): SessionKey = mapped { console.sessionKey(team?.toULong()).toSessionKey() }

    override suspend fun twoStep(): TwoStep = mapped { console.twoStep().let { TwoStep(it.enabled, it.pending, it.required) } }

    override suspend fun startTwoStep(): TwoStepSetup = mapped { console.startTwoStep().let { TwoStepSetup(it.secret, it.url) } }

    override suspend fun confirmTwoStep(code: String): List<String> = mapped { console.confirmTwoStep(code) }

    override suspend fun startJump(jumpClient: Long): Long = mapped { console.startJumpSession(jumpClient.toULong()).toLong() }

    override suspend fun systemInfo(session: Long): SystemInfo = mapped { console.systemInfo(session.toULong()).toSystemInfo() }

    override suspend fun openScreen(session: Long): ScreenStream = mapped { BindingsScreen(console.openScreen(session.toULong())) }

    override suspend fun openShell(session: Long): ShellStream = mapped { BindingsShell(console.openShell(session.toULong())) }

    override suspend fun signOut() {
        try {
            mapped { console.signOut() }
        } finally {
            scope.cancel()
        }
    }
}
