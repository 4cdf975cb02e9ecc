package app.tandem.presenters

import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Invitation
import app.tandem.console.api.Invitee
import app.tandem.console.api.SessionCommand
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

/** Sign-in with trust on first use, and the home screen's queues and invitations, over fakes. */
class SignInAndHomeTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)

    @After
    fun stop() = scope.cancel()

    @Test
    fun aSelfSignedApplianceIsTrustedByItsFingerprintOnceThenPinned() {
        val gateway = FakeGateway("AA:BB")
        val trust = MemoryTrust()
        var console: Console? = null
        val signIn = SignInPresenter(gateway, trust, scope) { console = it }
        signIn.edit(address = "https://10.0.2.2:8443/", email = "alice@demo.tandem", password = "wrong")
        signIn.submit()
        val confirm = signIn.state.value.step as SignInPresenter.Step.ConfirmCertificate
        assertEquals("AA:BB", confirm.certificate.presented)
        assertNull(confirm.changedFrom)
        signIn.trustCertificate()
        assertEquals(SignInPresenter.Step.Failed("Wrong e-mail or password."), signIn.state.value.step)
        assertTrue("a refused sign-in pins nothing", trust.pins.isEmpty())

        signIn.edit(password = "right")
        signIn.submit()
        signIn.trustCertificate()
        assertTrue(console != null)
        assertEquals(mapOf("https://10.0.2.2:8443/" to "AA:BB"), trust.pins)
        assertEquals("", signIn.state.value.password)

        // Next time: straight in with the pin. A changed certificate is shown, never trusted silently.
        signIn.edit(password = "right")
        signIn.submit()
        assertEquals(listOf<String?>("AA:BB", "AA:BB", "AA:BB"), gateway.signIns)
        gateway.presented = "CC:DD"
        signIn.edit(password = "right")
        signIn.submit()
        val changed = signIn.state.value.step as SignInPresenter.Step.ConfirmCertificate
        assertEquals("AA:BB", changed.changedFrom)
        assertEquals(3, gateway.signIns.size)
    }

    /** Issue 26: an account with two-step sign-in on is asked its code after the password, and sends all three. */
    @Test
    fun anAccountWithTwoStepSignInIsAskedItsCodeAfterThePassword() {
        val gateway = FakeGateway("AA:BB").apply { secondFactor = "123456" }
        val trust = MemoryTrust().apply { pin("https://10.0.2.2:8443/", "AA:BB") }
        var console: Console? = null
        val signIn = SignInPresenter(gateway, trust, scope) { console = it }
        signIn.edit(address = "https://10.0.2.2:8443/", email = "alice@demo.tandem", password = "right")
        signIn.submit()
        assertEquals(SignInPresenter.Step.AskCode(), signIn.state.value.step)
        assertTrue(signIn.state.value.codeAsked)
        assertTrue("no code typed yet", !signIn.state.value.canSubmit)
        signIn.editCode("654 321")
        signIn.submitCode()
        val wrong = signIn.state.value.step as SignInPresenter.Step.AskCode
        assertEquals("That code is not right", wrong.wrong)
        assertEquals("", signIn.state.value.code)
        signIn.editCode("123456")
        signIn.submitCode()
        assertTrue(console != null)
        assertEquals(listOf(null, "654321", "123456"), gateway.codes)
        assertEquals("", signIn.state.value.password)
        assertTrue("the next sign-in starts without a code field", !signIn.state.value.codeAsked)
    }

    @Test
    fun homeShowsQueuesAndInvitationsLiveAndTakesAndAnswersThem() {
        val console = FakeConsole()
        val home = HomePresenter(console, scope)
        val state = home.state.value
        assertEquals(listOf("My queue", "Service Desk"), state.queues.map { it.name })
        assertEquals(listOf("Lee"), state.queues.first().sessions.map { it.title })
        assertEquals(listOf("Kim"), state.mine.map { it.title })

        console.snapshots.value = console.snapshots.value.copy(
            incoming = listOf(Invitation(70, 12, 2, Invitee.AnyRepresentative(20))),
        )
        val invitation = home.state.value.invitations.single()
        assertEquals("Bob Baker invites anyone in Service Desk", invitation.title)
        assertEquals("Customer: Max", invitation.detail)

        home.take(11)
        home.accept(70)
        console.refuseNext = ConsoleException(ConsoleException.Kind.REFUSED, "This invitation has ended", 403, "S7")
        home.decline(70)
        assertEquals(listOf(SessionCommand.AcceptFromQueue(11), SessionCommand.AcceptInvitation(70)), console.performed)
        assertEquals("This invitation has ended (S7)", home.state.value.message)
        assertTrue(home.state.value.busy.isEmpty())
    }
}

class LinksTest {
    @Test
    fun invitationLinksOpenTheAppAndNothingElseDoes() {
        assertEquals(42L, invitationFromLink("https://support.example.com/invitations/42"))
        assertEquals(7L, invitationFromLink("https://10.0.2.2:8443/invitations/7?from=mail"))
        assertNull(invitationFromLink("https://support.example.com/join/abc"))
        assertNull(invitationFromLink("http://support.example.com/invitations/42"))
        assertNull(invitationFromLink("https://support.example.com/invitations/42/../../admin"))
    }
}
