package app.tandem.presenters

import app.tandem.console.api.ActionKind
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Participant
import app.tandem.console.api.Queue
import app.tandem.console.api.SessionCommand
import app.tandem.console.api.Target
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** The flyout menu and its flows over a fake console: what a technician sees and what gets asked. */
class FlyoutPresenterTest {
    // Unconfined: presenter coroutines run at once, so each step's effect is visible on return.
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
    private val console = FakeConsole()
    private val flyout = FlyoutPresenter(console, FakeConsole.SESSION, scope, now = { 1_000L })

    @After
    fun stop() = scope.cancel()

    private fun item(label: String): MenuItem =
        flyout.state.value.items.flatMap { listOf(it) + it.children }.first { it.label == label }

    @Test
    fun everyActionOfTheRulesEngineIsListedAndGreyedOnesSayWhy() {
        val labels = flyout.state.value.items.map { it.label }
        assertEquals(
            listOf("Elevate", "Transfer", "Share Session", "External", "Cancel Invitation", "Remove Member", "Deploy Support Button",
                "Remove Support Button", "Pin Jump Client", "Unpin Jump Client", "Turn chat off", "Close Session"),
            labels,
        )
        val cancel = item("Cancel Invitation")
        assertFalse(cancel.enabled)
        assertEquals("There is no open invitation to cancel (S7)", cancel.reason)
        // A group is enabled when any of its lines is; its greyed line keeps its own reason.
        assertTrue(item("Elevate").enabled)
        assertEquals("The customer client is not running as a full client (E2)", item("Prompt Customer").reason)
        assertEquals("The owner ends or holds the session (C2)", item("Leave Session").reason)
        // Tapping a greyed line does nothing.
        flyout.choose(cancel)
        assertNull(flyout.state.value.dialog)
    }

    @Test
    fun shareWithATeamMemberGoesTeamThenMemberWithPresence() {
        flyout.choose(item("Invite a team member"))
        val teams = flyout.state.value.dialog as Dialog.ShareTeams
        assertEquals(listOf("Service Desk", "Servers"), teams.teams.map { it.label })
        flyout.chooseTeam(teams.teams.first())
        val members = flyout.state.value.dialog as Dialog.ShareMembers
        // Alice herself is not offered (the engine's targets leave her out).
        assertEquals(listOf("Bob Baker" to "Available (extended)", "Carol Chen" to "Offline"), members.members.map { it.label to it.detail })
        flyout.pick(members.members.first())
        assertEquals(listOf<SessionCommand>(SessionCommand.InviteTechnician(FakeConsole.SESSION, 2)), console.performed)
        assertNull(flyout.state.value.dialog)
        assertEquals("Invitation sent to Bob Baker", flyout.state.value.done)
    }

    @Test
    fun requestHelpAndAnyRepresentativeAskTheRightTeams() {
        flyout.choose(item("Request Help"))
        val issues = flyout.state.value.dialog as Dialog.Pick
        assertEquals(listOf("Printing" to "Service Desk", "Servers" to "Servers"), issues.options.map { it.label to it.detail })
        flyout.pick(issues.options[1])
        flyout.choose(item("Any Representative"))
        flyout.pick((flyout.state.value.dialog as Dialog.Pick).options.single())
        assertEquals(
            listOf(SessionCommand.RequestHelp(FakeConsole.SESSION, 41), SessionCommand.InviteAnyRepresentative(FakeConsole.SESSION, 20)),
            console.performed,
        )
    }

    @Test
    fun inviteExternalShowsPoliciesInFullThenTheLink() {
        flyout.choose(item("Invite External Representative"))
        var dialog = flyout.state.value.dialog as Dialog.InviteExternal
        assertEquals(
            "Sees the customer's screen and chats. Cannot control the screen, open a shell, or transfer files.",
            dialog.policies.first { it.name == "View only" }.description,
        )
        assertFalse("a policy and a name are needed", dialog.canSend)
        flyout.sendInvite()
        assertTrue(console.invites.isEmpty())
        flyout.editInvite(policy = 31, name = "Vera Vendor", comments = "Printer firmware", email = "vera@vendor.example")
        dialog = flyout.state.value.dialog as Dialog.InviteExternal
        assertTrue(dialog.canSend)
        flyout.sendInvite()
        assertEquals(listOf<Any?>(FakeConsole.SESSION, 31L, "Vera Vendor", "Printer firmware", "vera@vendor.example"), console.invites.single())
        val ready = flyout.state.value.dialog as Dialog.ExternalLinkReady
        assertEquals("https://support.example/join/TOKEN-Vera Vendor", ready.link)
        assertEquals("Vendor engineer", ready.policy)
        assertNull("the appliance did not mail it, so the technician is not told it did", ready.mailedTo)
    }

    @Test
    fun aRefusalFromTheApplianceIsShownAndTheDialogStays() {
        flyout.choose(item("To a team queue"))
        console.refuseNext = ConsoleException(ConsoleException.Kind.REFUSED, "Only the session owner can transfer the session", 403, "T3")
        flyout.pick((flyout.state.value.dialog as Dialog.Pick).options.first())
        assertEquals("Only the session owner can transfer the session (T3)", flyout.state.value.message)
        assertTrue(flyout.state.value.dialog is Dialog.Pick)
        assertTrue(console.performed.isEmpty())
        assertFalse(flyout.state.value.working)
    }

    @Test
    fun removingASupportButtonAndUnpinningAJumpClientAreConfirmedFirst() {
        // B1, J1: "after a confirmation". Both allowed by the engine in this menu.
        console.menus = mapOf(
            FakeConsole.SESSION to FakeConsole.demoMenu().map {
                if (it.kind == ActionKind.REMOVE_SUPPORT_BUTTON || it.kind == ActionKind.UNPIN_JUMP_CLIENT) it.copy(enabled = true, reason = null, rule = null) else it
            },
        )
        val flyout = FlyoutPresenter(console, FakeConsole.SESSION, scope, now = { 1_000L })
        fun item(label: String) = flyout.state.value.items.flatMap { listOf(it) + it.children }.first { it.label == label }
        flyout.choose(item("Unpin Jump Client"))
        val unpin = flyout.state.value.dialog as Dialog.ConfirmClose
        assertEquals("Unpin Jump Client", unpin.title)
        assertTrue("nothing is asked before the answer", console.performed.isEmpty())
        flyout.dismiss()
        assertTrue(console.performed.isEmpty())
        flyout.choose(item("Unpin Jump Client"))
        flyout.confirmClose()
        flyout.choose(item("Remove Support Button"))
        assertEquals("Remove Support Button", (flyout.state.value.dialog as Dialog.ConfirmClose).title)
        flyout.confirmClose()
        assertEquals(listOf(SessionCommand.UnpinJumpClient(FakeConsole.SESSION), SessionCommand.RemoveSupportButton(FakeConsole.SESSION)), console.performed)
    }

    @Test
    fun supportButtonJumpClientCredentialsAndClose() {
        flyout.choose(item("Deploy Support Button"))
        flyout.editButton(name = "Kim's help", validHours = 2)
        flyout.deployButton()
        flyout.choose(item("Pin Jump Client"))
        flyout.pick((flyout.state.value.dialog as Dialog.Pick).options.first { it.label == "Branch offices" })
        flyout.choose(item("Provide Credentials"))
        flyout.editCredentials("root", "s3cret")
        assertFalse("the password never shows in logs", flyout.state.value.dialog.toString().contains("s3cret"))
        flyout.sendCredentials()
        flyout.choose(item("End Session"))
        assertTrue(flyout.state.value.dialog is Dialog.ConfirmClose)
        flyout.confirmClose()
        assertEquals(
            listOf(
                SessionCommand.DeploySupportButton(FakeConsole.SESSION, "Kim's help", 1_000L + 2 * 3_600_000L, 60, Queue.Personal(FakeConsole.ME)),
                SessionCommand.PinJumpClient(FakeConsole.SESSION, Target.JumpGroup(50)),
                SessionCommand.ElevateWithCredentials(FakeConsole.SESSION, "root", "s3cret"),
                SessionCommand.End(FakeConsole.SESSION),
            ),
            console.performed,
        )
    }

    @Test
    fun removeMemberAsksFirstAndTheMenuFollowsTheEngine() {
        console.menus = mapOf(
            FakeConsole.SESSION to FakeConsole.demoMenu().map {
                if (it.kind == ActionKind.REMOVE_MEMBER) it.copy(enabled = true, reason = null, rule = null, targets = listOf(Target.Member(Participant.OfTechnician(2)))) else it
            },
        )
        // A new snapshot makes the presenter ask the engine again.
        console.snapshots.value = console.snapshots.value.copy(connection = app.tandem.console.api.Connection.Online, incoming = emptyList(), sent = emptyList(), teams = console.snapshots.value.teams.toList())
        console.snapshots.value = console.snapshots.value.copy(teams = console.snapshots.value.teams.reversed())
        flyout.choose(item("Remove Member"))
        flyout.pick((flyout.state.value.dialog as Dialog.Pick).options.single())
        val confirm = flyout.state.value.dialog as Dialog.ConfirmRemove
        assertEquals("Bob Baker", confirm.member.label)
        assertTrue(console.performed.isEmpty())
        flyout.confirmRemove()
        assertEquals(listOf<SessionCommand>(SessionCommand.RemoveMember(FakeConsole.SESSION, Participant.OfTechnician(2))), console.performed)
    }
}
