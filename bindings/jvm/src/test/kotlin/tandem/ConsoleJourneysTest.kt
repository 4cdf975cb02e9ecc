package tandem

import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import uniffi.tandem_ffi.ActionKind
import uniffi.tandem_ffi.ConsoleState
import uniffi.tandem_ffi.InviteeItem
import uniffi.tandem_ffi.ParticipantItem
import uniffi.tandem_ffi.QueueItem
import uniffi.tandem_ffi.SessionStatusItem
import uniffi.tandem_ffi.TandemConsole
import uniffi.tandem_ffi.TandemException
import uniffi.tandem_ffi.TargetItem

/**
 * The technician journeys through the generated Kotlin bindings, on the JVM, against a real
 * appliance: two technicians (and a third for transfers) and a customer.
 */
class ConsoleJourneysTest {
    companion object {
        lateinit var alice: TandemConsole
        lateinit var bob: TandemConsole
        lateinit var carol: TandemConsole

        @BeforeClass
        @JvmStatic
        fun signInEveryone() {
            alice = signIn("alice")
            bob = signIn("bob")
            carol = signIn("carol")
        }

        @AfterClass
        @JvmStatic
        fun signOutEveryone() {
            runBlocking { listOf(alice, bob, carol).forEach { it.signOut() } }
        }
    }

    /** A customer in a new session of Alice's, taken from her queue. */
    private fun customerOfAlice(): Customer {
        val key = runBlocking { alice.sessionKey(null) }.key
        val customer = Customer.join(key, "Kim")
        alice.awaitState { s -> s.queued.any { it.id == customer.session } }
        runBlocking { alice.acceptFromQueue(customer.session) }
        alice.awaitState { s -> s.sessions.any { it.id == customer.session && it.owner == s.me } }
        return customer
    }

    private fun ConsoleState.session(id: ULong) = sessions.first { it.id == id }

    private fun TandemConsole.action(session: ULong, kind: ActionKind) = actions(session).first { it.action == kind }

    private fun incomingFor(console: TandemConsole, session: ULong) =
        console.awaitState { s -> s.incoming.any { it.session == session } }.incoming.first { it.session == session }

    @Test
    fun shareWithATeamMemberWhoAcceptsThenChatBothWays() {
        val kim = customerOfAlice()
        val s = kim.session
        val bobId = alice.state().technician("Bob")
        val share = alice.action(s, ActionKind.SHARE_WITH_TECHNICIAN)
        assertTrue("Bob is listed for sharing (S3)", share.targets.contains(TargetItem.Technician(bobId)))
        runBlocking { alice.inviteTechnician(s, bobId) }
        val invitation = incomingFor(bob, s)
        runBlocking { bob.acceptInvitation(invitation.id) }
        bob.awaitState { st -> st.sessions.any { it.id == s && bobId in it.members } }

        kim.say("my printer is on fire")
        runBlocking { bob.sendChat(s, "please step away from it") }
        for (console in listOf(alice, bob)) {
            console.awaitState { st -> st.sessions.any { it.id == s && it.chat.map { c -> c.text } == listOf("my printer is on fire", "please step away from it") } }
        }
        assertEquals(listOf("my printer is on fire", "please step away from it"), kim.transcript())
        val said = alice.state().session(s).chat.first()
        assertEquals(ParticipantItem.Customer, said.from)
    }

    @Test
    fun anyRepresentativeIsDeclinedAndARequestForHelpIsCancelled() {
        val s = customerOfAlice().session
        val tier1 = alice.state().team("Tier 1")
        runBlocking { alice.inviteAnyRepresentative(s, tier1) }
        val anyRep = incomingFor(bob, s)
        assertEquals(InviteeItem.AnyRepresentative(tier1), anyRep.invitee)
        runBlocking { bob.declineInvitation(anyRep.id) }
        alice.awaitState { st -> st.sent.none { it.id == anyRep.id } }

        val printing = alice.state().issues.first { it.name == "Printing" }.id
        runBlocking { alice.requestHelp(s, printing) }
        val help = incomingFor(bob, s)
        val cancel = alice.awaitState { st -> st.sent.any { it.id == help.id } }.let { alice.action(s, ActionKind.CANCEL_INVITATION) }
        assertTrue(cancel.targets.contains(TargetItem.Invitation(help.id)))
        runBlocking { alice.cancelInvitation(help.id) }
        bob.awaitState { st -> st.incoming.none { it.id == help.id } }
        try {
            runBlocking { bob.acceptInvitation(help.id) }
            fail("a cancelled invitation was accepted")
        } catch (e: TandemException.Refused) {
            assertEquals("S7", e.rule)
        }
    }

    @Test
    fun anExternalUserIsInvitedAndRedeemsTheLinkOnce() {
        val s = customerOfAlice().session
        val policy = alice.state().policies.first { it.name == "View only" }
        val sent = runBlocking { alice.inviteExternal(s, policy.id, "Sam", null, "knows the accounting package") }
        assertEquals("View only", sent.policyName)
        assertEquals(policy.description, sent.policyDescription)
        val token = sent.link.substringAfter("/join/")
        val sam = redeem(token)
        alice.awaitState { st -> st.session(s).externals.any { it.id == sam && it.name == "Sam" } }
        assertTrue(toolFails("redeem", token).isNotBlank())
    }

    @Test
    fun transferToATeamAndToATechnicianGreysTheFormerOwner() {
        val s = customerOfAlice().session
        val tier2 = alice.state().team("Tier 2")
        runBlocking { alice.transferToTeam(s, tier2) }
        carol.awaitState { st -> st.queued.any { it.id == s && it.status == SessionStatusItem.Queued(QueueItem.Team(tier2)) } }
        runBlocking { carol.acceptFromQueue(s) }
        alice.awaitState { st -> st.sessions.any { it.id == s && it.owner != st.me && it.status == SessionStatusItem.Active } }
        for (kind in listOf(ActionKind.TRANSFER_TO_TEAM, ActionKind.SHARE_WITH_TECHNICIAN, ActionKind.REMOVE_MEMBER)) {
            val line = alice.action(s, kind)
            assertFalse("$kind is greyed for the former owner", line.enabled)
            assertTrue(line.reason!!, line.reason!!.startsWith("Only the session owner can"))
            // The rule comes on its own, so a screen shows it once: "… (T3)", not "… (T3) (T3)".
            assertTrue(line.reason!!, line.rule != null && !line.reason!!.contains("(${line.rule})"))
        }
        assertTrue("she may stay or leave (T3)", alice.action(s, ActionKind.LEAVE_SESSION).enabled)

        val bobId = carol.state().technician("Bob")
        runBlocking { carol.transferToTechnician(s, bobId) }
        bob.awaitState { st -> st.queued.any { it.id == s && it.status == SessionStatusItem.Queued(QueueItem.Personal(bobId)) } }
        runBlocking { bob.acceptFromQueue(s) }
        carol.awaitState { st -> st.sessions.any { it.id == s && it.owner == bobId } }
        assertEquals("T3", carol.action(s, ActionKind.TRANSFER_TO_TECHNICIAN).rule)
    }

    @Test
    fun removeAMemberHoldAndEnd() {
        val s = customerOfAlice().session
        val bobId = alice.state().technician("Bob")
        runBlocking { alice.inviteTechnician(s, bobId) }
        runBlocking { bob.acceptInvitation(incomingFor(bob, s).id) }
        bob.awaitState { st -> st.sessions.any { it.id == s } }
        runBlocking { alice.removeMember(s, ParticipantItem.Technician(bobId)) }
        bob.awaitState { st -> st.sessions.none { it.id == s } }

        runBlocking { alice.hold(s) }
        val me = alice.state().me
        alice.awaitState { st -> st.queued.any { it.id == s && it.status == SessionStatusItem.Queued(QueueItem.Personal(me)) } }
        runBlocking { alice.acceptFromQueue(s) }
        runBlocking { alice.end(s) }
        alice.awaitState { st -> st.sessions.none { it.id == s } && st.queued.none { it.id == s } }
    }

    @Test
    fun elevationSupportButtonAndJumpClientFollowTheMenu() {
        val s = customerOfAlice().session
        assertTrue(alice.action(s, ActionKind.ELEVATE_PROMPT_CUSTOMER).enabled)
        runBlocking { alice.elevatePromptCustomer(s) }
        val delivered = runBlocking { alice.elevateWithCredentials(s, "administrator", "Correct-Horse-9") }
        assertFalse("no customer client is listening for credentials here", delivered)

        val me = alice.state().me
        val profile = alice.state().buttonProfiles.first().id
        val tomorrow = (System.currentTimeMillis() + 86_400_000L).toULong()
        runBlocking { alice.deploySupportButton(s, "Call Alice", tomorrow, profile, QueueItem.Personal(me)) }
        alice.awaitState { alice.action(s, ActionKind.REMOVE_SUPPORT_BUTTON).enabled }
        assertEquals("B1", alice.action(s, ActionKind.DEPLOY_SUPPORT_BUTTON).rule)
        runBlocking { alice.removeSupportButton(s) }
        alice.awaitState { alice.action(s, ActionKind.DEPLOY_SUPPORT_BUTTON).enabled }

        val group = alice.state().jumpGroups.first { it.name == "Datacentre servers" }.id
        runBlocking { alice.pinJumpClient(s, group) }
        alice.awaitState { alice.action(s, ActionKind.UNPIN_JUMP_CLIENT).enabled }
        assertEquals("J1", alice.action(s, ActionKind.PIN_JUMP_CLIENT).rule)
        runBlocking { alice.unpinJumpClient(s) }
        alice.awaitState { alice.action(s, ActionKind.PIN_JUMP_CLIENT).enabled }

        runBlocking { alice.setChat(s, false) }
        alice.awaitState { st -> !st.session(s).chatEnabled }
        assertEquals("A2", alice.action(s, ActionKind.SEND_CHAT).rule)
    }

    @Test
    fun aWrongPasswordIsRefusedWithItsStatus() {
        try {
            runBlocking { TandemConsole.signIn(Appliance.url, Appliance.fingerprint, "dave@demo.tandem", "not the password", null) }
            fail("signed in with a wrong password")
        } catch (e: TandemException.Refused) {
            assertEquals(401.toUShort(), e.status)
            assertEquals("Wrong e-mail address or password", e.detail)
        }
    }

    @Test
    fun theSelfSignedApplianceIsNotTrustedThroughThePlatform() {
        try {
            runBlocking { TandemConsole.signIn(Appliance.url, null, "dave@demo.tandem", Appliance.PASSWORD, null) }
            fail("the platform trusted a self-signed certificate")
        } catch (e: TandemException.Untrusted) {
            assertTrue(e.detail, e.detail.isNotBlank())
        }
    }

    @Test
    fun aWrongFingerprintIsRefusedAsUntrusted() {
        try {
            runBlocking { TandemConsole.signIn(Appliance.url, List(32) { "AB" }.joinToString(":"), "dave@demo.tandem", Appliance.PASSWORD, null) }
            fail("trusted a certificate that is not the pinned one")
        } catch (e: TandemException.Untrusted) {
            assertTrue(e.detail, e.detail.contains("not the one pinned"))
        }
    }
}
