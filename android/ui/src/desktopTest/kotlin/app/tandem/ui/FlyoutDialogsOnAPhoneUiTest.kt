package app.tandem.ui

import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.onNodeWithTag
import app.tandem.console.api.ActionKind
import app.tandem.console.api.Participant
import app.tandem.console.api.Target
import app.tandem.presenters.Dialog
import app.tandem.presenters.FakeConsole
import app.tandem.presenters.FlyoutPresenter
import app.tandem.presenters.SessionPresenter
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * Every dialog the flyout menu opens, on a phone (412x915 dp portrait) in light and dark and at
 * double font size (issue 13): each is shown over the session screen, saved as
 * `dialog-<name>-<light|dark|font-200>.png`, and checked by [assertAccessible] (labels, 48 dp
 * touch areas, no text cut off or past the window's edge).
 */
@OptIn(ExperimentalTestApi::class)
class FlyoutDialogsOnAPhoneUiTest {
    private val platform = DesktopPlatform()

    /** Alice's session with every line of the menu allowed, so that each dialog can be opened. */
    private fun console() = FakeConsole().apply {
        menus = mapOf(
            FakeConsole.SESSION to FakeConsole.demoMenu().map {
                val targets = if (it.kind == ActionKind.REMOVE_MEMBER) listOf(Target.Member(Participant.OfTechnician(2))) else it.targets
                it.copy(enabled = true, reason = null, rule = null, targets = targets)
            },
        )
    }

    private fun FlyoutPresenter.choose(label: String) =
        choose(state.value.items.flatMap { listOf(it) + it.children }.first { it.label == label })

    private inline fun <reified D : Dialog> FlyoutPresenter.dialog(): D = state.value.dialog as D

    /** Each dialog by name: the tag it is drawn with, and the taps that open it (and fill it in, as a technician would). */
    private val dialogs: List<Triple<String, String, (FlyoutPresenter) -> Unit>> = listOf(
        Triple("transfer-team", "pick", { f -> f.choose("To a team queue") }),
        Triple("transfer-technician", "pick", { f -> f.choose("To a technician") }),
        Triple("request-help", "pick", { f -> f.choose("Request Help") }),
        Triple("share-teams", "share-teams", { f -> f.choose("Invite a team member") }),
        Triple("share-members", "share-members", { f ->
            f.choose("Invite a team member")
            f.chooseTeam(f.dialog<Dialog.ShareTeams>().teams.first())
        }),
        Triple("remove-member", "confirm-remove", { f ->
            f.choose("Remove Member")
            f.pick(f.dialog<Dialog.Pick>().options.single())
        }),
        Triple("any-representative", "pick", { f -> f.choose("Any Representative") }),
        // No open invitation: the picker says there is nothing to choose.
        Triple("cancel-invitation", "pick", { f -> f.choose("Cancel Invitation") }),
        Triple("end-session", "confirm-close", { f -> f.choose("End Session") }),
        Triple("hold-session", "confirm-close", { f -> f.choose("Hold") }),
        Triple("leave-session", "confirm-close", { f -> f.choose("Leave Session") }),
        Triple("unpin-jump-client", "confirm-close", { f -> f.choose("Unpin Jump Client") }),
        Triple("remove-support-button", "confirm-close", { f -> f.choose("Remove Support Button") }),
        Triple("pin-jump-client", "pick", { f -> f.choose("Pin Jump Client") }),
        Triple("credentials", "credentials", { f ->
            f.choose("Provide Credentials")
            f.editCredentials("root", "s3cret")
        }),
        Triple("invite-external", "invite-external", { f ->
            f.choose("Invite External Representative")
            f.editInvite(policy = 31, name = "Vera Vendor", comments = "Printer firmware", email = "vera@vendor.example")
        }),
        Triple("external-link", "external-link", { f ->
            f.choose("Invite External Representative")
            f.editInvite(policy = 31, name = "Vera Vendor", comments = "Printer firmware")
            f.sendInvite()
        }),
        Triple("deploy-button", "deploy-button", { f -> f.choose("Deploy Support Button") }),
    )

    /** Each dialog in a window of its own (a composition's content is set once). */
    private fun showEach(dark: Boolean, suffix: String, fontScale: Float = 1f) {
        for ((name, tag, open) in dialogs) onPhone(fontScale = fontScale) {
            val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)
            try {
                val console = console()
                val presenter = SessionPresenter(console, FakeConsole.SESSION, scope)
                setContent { Themed(platform, dark) { SessionScreen(presenter, console) {} } }
                open(presenter.flyout)
                waitForIdle()
                onNodeWithTag(tag).assertIsDisplayed()
                screenshot("dialog-$name-$suffix")
                val (controls, texts) = assertAccessible("the $name dialog ($suffix)")
                assertTrue("the $name dialog: its buttons and texts were checked", controls > 0 && texts > 0)
            } finally {
                scope.cancel()
            }
        }
    }

    @Test
    fun everyDialogOnAPhoneInLight() = showEach(dark = false, "light")

    @Test
    fun everyDialogOnAPhoneInDark() = showEach(dark = true, "dark")

    @Test
    fun everyDialogStaysReadableAtDoubleFontSize() = showEach(dark = false, "font-200", fontScale = 2f)
}
