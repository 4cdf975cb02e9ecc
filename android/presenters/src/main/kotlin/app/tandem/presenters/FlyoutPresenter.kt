package app.tandem.presenters

import app.tandem.console.api.ActionKind
import app.tandem.console.api.ActionKind.*
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Participant
import app.tandem.console.api.Queue
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.Target
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/**
 * A session's flyout menu and the dialogs it opens: share, invite external, transfer, elevate,
 * support button, jump client, close. Which lines are enabled, and the targets offered, come
 * from the rules engine's menu; the appliance checks every command again.
 */
class FlyoutPresenter(
    private val console: Console,
    private val session: Long,
    private val scope: CoroutineScope,
    private val now: () -> Long = System::currentTimeMillis,
) {
    data class State(
        val items: List<MenuItem> = emptyList(),
        val dialog: Dialog? = null,
        val working: Boolean = false,
        /** The last refusal or failure, to show until dismissed. */
        val message: String? = null,
        /** A short confirmation of what was done ("Help requested"). */
        val done: String? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    init {
        // The shared state's current value comes first; the menu is asked of the core off the
        // main thread for each state.
        scope.launch { console.updates().collect { refresh(it) } }
    }

    private suspend fun refresh(s: ConsoleSnapshot) {
        val menu = console.menu(session)
        mutable.update { it.copy(items = flyoutMenu(menu, s.session(session)?.chatEnabled ?: false)) }
    }

    // Asked of the rules engine when a line is tapped, so the choices are those of that moment.
    private suspend fun targets(kind: ActionKind) =
        console.menu(session).firstOrNull { it.kind == kind && it.enabled }?.targets.orEmpty()

    private fun option(s: ConsoleSnapshot, t: Target): Option = when (t) {
        is Target.OfTeam -> Option(t, s.team(t.id)?.name ?: "Team ${t.id}")
        is Target.OfTechnician -> Option(t, s.technician(t.id)?.name ?: "Technician ${t.id}", s.presence(t.id))
        is Target.OfIssue -> s.issues.firstOrNull { it.id == t.id }.let { Option(t, it?.name ?: "Issue ${t.id}", it?.let { i -> s.team(i.team)?.name } ?: "") }
        is Target.OfPolicy -> Option(t, s.policies.firstOrNull { it.id == t.id }?.name ?: "Policy ${t.id}")
        is Target.OfInvitation -> s.sent.firstOrNull { it.id == t.id }.let { Option(t, it?.let { i -> s.inviteeText(i.invitee) } ?: "Invitation ${t.id}", "Invitation") }
        is Target.Member -> Option(t, s.nameOf(t.participant, session), if (t.participant is Participant.OfExternal) "External" else "Technician")
        is Target.OfQueue -> Option(t, s.queueName(t.queue))
        is Target.JumpPersonal -> Option(t, "My personal list")
        is Target.JumpGroup -> Option(t, s.jumpGroups.firstOrNull { it.id == t.group }?.name ?: "Jump group ${t.group}", "Jump group")
    }

    /** A menu line was tapped. */
    fun choose(item: MenuItem) {
        val kind = item.action ?: return
        if (!item.enabled) return
        scope.launch { chosen(kind) }
    }

    private suspend fun chosen(kind: ActionKind) {
        val s = console.snapshot()
        suspend fun pick(title: String) = open(Dialog.Pick(title, kind, targets(kind).map { option(s, it) }))
        when (kind) {
            ELEVATE_PROMPT_CUSTOMER -> run("Elevation requested") { SessionCommand.ElevatePromptCustomer(session) }
            ELEVATE_PROVIDE_CREDENTIALS -> open(Dialog.ProvideCredentials())
            TRANSFER_TO_TEAM -> pick("Transfer to a team queue")
            TRANSFER_TO_TECHNICIAN -> pick("Transfer to a technician")
            REQUEST_HELP -> pick("Request help with")
            SHARE_ANY_REPRESENTATIVE -> pick("Invite anyone in")
            SHARE_WITH_TECHNICIAN -> open(Dialog.ShareTeams(shareTeams(s)))
            INVITE_EXTERNAL -> open(
                Dialog.InviteExternal(
                    targets(INVITE_EXTERNAL).mapNotNull { t ->
                        (t as? Target.OfPolicy)?.let { p -> s.policies.firstOrNull { it.id == p.id } }?.let { PolicyChoice(it.id, it.name, it.description) }
                    },
                ),
            )
            CANCEL_INVITATION -> pick("Cancel an invitation")
            REMOVE_MEMBER -> pick("Remove from the session")
            DEPLOY_SUPPORT_BUTTON -> {
                val queues = targets(kind).map { option(s, it) }
                val profiles = s.buttonProfiles
                open(Dialog.DeployButton(s.session(session)?.customer?.name?.let { "Support for $it" } ?: "Support", 24 * 30, profiles, queues, profiles.firstOrNull(), queues.firstOrNull()))
            }
            // B1 and J1: removing a support button and unpinning a jump client are confirmed first.
            REMOVE_SUPPORT_BUTTON -> open(Dialog.ConfirmClose(kind, "Remove the support button from this computer? The customer can no longer start sessions with it.", "Remove Support Button"))
            PIN_JUMP_CLIENT -> pick("Pin the jump client to")
            UNPIN_JUMP_CLIENT -> open(Dialog.ConfirmClose(kind, "Unpin the jump client? It uninstalls itself from this computer, and unattended access to it ends.", "Unpin Jump Client"))
            TOGGLE_CHAT -> run(null) { SessionCommand.SetChat(session, !(s.session(session)?.chatEnabled ?: true)) }
            PIN_CHAT -> run(null) { SessionCommand.SetChatPinned(session, true) }
            END_SESSION -> open(Dialog.ConfirmClose(kind, "End the session for everyone? The customer client is removed from their computer."))
            HOLD_SESSION -> open(Dialog.ConfirmClose(kind, "Put the session on hold? It waits in your queue; you leave it."))
            LEAVE_SESSION -> open(Dialog.ConfirmClose(kind, "Leave the session? The others carry on."))
            else -> Unit
        }
    }

    /** The teams of the technicians this session may be shared with, for the first step. */
    private suspend fun shareTeams(s: ConsoleSnapshot): List<Option> {
        val allowed = targets(SHARE_WITH_TECHNICIAN).filterIsInstance<Target.OfTechnician>().map { it.id }.toSet()
        return s.teams.filter { t -> t.members.any { it in allowed } }.map { Option(Target.OfTeam(it.id), it.name, "${it.members.count { m -> m in allowed }} available to invite") }
    }

    /** Share: a team was chosen; show its members the session may be shared with, with presence. */
    fun chooseTeam(team: Option) {
        scope.launch { teamChosen(team) }
    }

    private suspend fun teamChosen(team: Option) {
        val s = console.snapshot()
        val id = (team.target as? Target.OfTeam)?.id ?: return
        val allowed = targets(SHARE_WITH_TECHNICIAN).filterIsInstance<Target.OfTechnician>().map { it.id }.toSet()
        val members = s.team(id)?.members.orEmpty().filter { it in allowed }.map { option(s, Target.OfTechnician(it)) }
        open(Dialog.ShareMembers(team.label, members))
    }

    /** An option of a picker was chosen. */
    fun pick(option: Option) {
        when (val d = state.value.dialog) {
            is Dialog.ShareMembers -> (option.target as? Target.OfTechnician)?.let { t ->
                run("Invitation sent to ${option.label}") { SessionCommand.InviteTechnician(session, t.id) }
            }
            is Dialog.Pick -> when (d.action) {
                REMOVE_MEMBER -> open(Dialog.ConfirmRemove(option))
                else -> command(d.action, option.target)?.let { (done, c) -> run(done) { c } }
            }
            else -> Unit
        }
    }

    private fun command(kind: ActionKind, t: Target): Pair<String, SessionCommand>? = when {
        kind == TRANSFER_TO_TEAM && t is Target.OfTeam -> "Transferred" to SessionCommand.TransferToTeam(session, t.id)
        kind == TRANSFER_TO_TECHNICIAN && t is Target.OfTechnician -> "Transferred" to SessionCommand.TransferToTechnician(session, t.id)
        kind == REQUEST_HELP && t is Target.OfIssue -> "Help requested" to SessionCommand.RequestHelp(session, t.id)
        kind == SHARE_ANY_REPRESENTATIVE && t is Target.OfTeam -> "Invitation sent" to SessionCommand.InviteAnyRepresentative(session, t.id)
        kind == CANCEL_INVITATION && t is Target.OfInvitation -> "Invitation cancelled" to SessionCommand.CancelInvitation(t.id)
        kind == PIN_JUMP_CLIENT && (t is Target.JumpPersonal || t is Target.JumpGroup) -> "Jump client pinned" to SessionCommand.PinJumpClient(session, t)
        else -> null
    }

    fun confirmRemove() {
        val d = state.value.dialog as? Dialog.ConfirmRemove ?: return
        val member = (d.member.target as? Target.Member)?.participant ?: return
        run("${d.member.label} removed") { SessionCommand.RemoveMember(session, member) }
    }

    fun confirmClose() {
        val d = state.value.dialog as? Dialog.ConfirmClose ?: return
        when (d.action) {
            END_SESSION -> run("Session ended") { SessionCommand.End(session) }
            HOLD_SESSION -> run("Session on hold") { SessionCommand.Hold(session) }
            LEAVE_SESSION -> run("You left the session") { SessionCommand.Leave(session) }
            REMOVE_SUPPORT_BUTTON -> run("Support button removed") { SessionCommand.RemoveSupportButton(session) }
            UNPIN_JUMP_CLIENT -> run("Jump client unpinned") { SessionCommand.UnpinJumpClient(session) }
            else -> Unit
        }
    }

    fun editCredentials(username: String, password: String) = edit<Dialog.ProvideCredentials> { it.copy(username = username, password = password) }

    fun sendCredentials() {
        val d = state.value.dialog as? Dialog.ProvideCredentials ?: return
        if (d.username.isBlank() || d.password.isEmpty()) return
        run("Credentials sent to the customer client") { SessionCommand.ElevateWithCredentials(session, d.username.trim(), d.password) }
    }

    fun editInvite(policy: Long? = null, name: String? = null, comments: String? = null, email: String? = null) =
        edit<Dialog.InviteExternal> { it.copy(policy = policy ?: it.policy, name = name ?: it.name, comments = comments ?: it.comments, email = email ?: it.email) }

    /** Send the external invitation; the dialog then shows the link (X1–X3). */
    fun sendInvite() {
        val d = state.value.dialog as? Dialog.InviteExternal ?: return
        val policy = d.policy ?: return
        if (!d.canSend) return
        mutable.update { it.copy(working = true, message = null) }
        scope.launch {
            try {
                val email = d.email.trim().ifEmpty { null }
                val link = console.inviteExternal(session, policy, d.name.trim(), d.comments.trim(), email)
                mutable.update { it.copy(dialog = Dialog.ExternalLinkReady(link.link, link.policyName, email.takeIf { link.mailedByAppliance })) }
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(working = false) }
            }
        }
    }

    fun editButton(name: String? = null, validHours: Int? = null, profile: app.tandem.console.api.Named? = null, queue: Option? = null) =
        edit<Dialog.DeployButton> { it.copy(name = name ?: it.name, validHours = validHours ?: it.validHours, profile = profile ?: it.profile, queue = queue ?: it.queue) }

    fun deployButton() {
        val d = state.value.dialog as? Dialog.DeployButton ?: return
        val profile = d.profile?.id ?: return
        val queue = (d.queue?.target as? Target.OfQueue)?.queue ?: return
        if (d.name.isBlank() || d.validHours <= 0) return
        run("Support button deployed") { SessionCommand.DeploySupportButton(session, d.name.trim(), now() + d.validHours * 3_600_000L, profile, queue) }
    }

    fun dismiss() = mutable.update { it.copy(dialog = null, message = null) }
    fun dismissMessage() = mutable.update { it.copy(message = null, done = null) }

    private fun open(dialog: Dialog) = mutable.update { it.copy(dialog = dialog, message = null, done = null) }

    private inline fun <reified D : Dialog> edit(change: (D) -> D) =
        mutable.update { s -> (s.dialog as? D)?.let { s.copy(dialog = change(it)) } ?: s }

    private fun run(done: String?, command: () -> SessionCommand) {
        if (state.value.working) return
        mutable.update { it.copy(working = true, message = null, done = null) }
        scope.launch {
            try {
                console.perform(command())
                mutable.update { it.copy(dialog = null, done = done) }
            } catch (e: ConsoleException) {
                mutable.update { it.copy(message = e.shown) }
            } finally {
                mutable.update { it.copy(working = false) }
            }
        }
    }
}

