package app.tandem.presenters

import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Queue
import app.tandem.console.api.SessionCommand
import java.time.LocalDate
import java.time.ZoneOffset
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

/** What a technician does from home in a day (issue 13): keys, presence, held sessions, Jump, sign-out. */
class HomeDayTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)

    @After
    fun stop() = scope.cancel()

    @Test
    fun aSessionKeyForTheirOwnQueueOrATeamsIsMadeAndWordedForTheCustomer() {
        val console = FakeConsole()
        val home = HomePresenter(console, scope)
        home.newSessionKey()
        val sheet = home.state.value.keySheet!!
        // Their own queue first, then the enabled teams they are in (Servers is not theirs).
        assertEquals(listOf("My queue", "Service Desk"), sheet.queues.map { it.name })

        home.chooseKeyQueue(20)
        home.makeSessionKey()
        val made = home.state.value.keySheet!!
        assertEquals(listOf<Long?>(20), console.keys)
        assertEquals("K3Y1", made.key!!.key)
        val message = made.message!!
        assertTrue(message, message.contains("https://support.example/customer?key=K3Y1"))
        assertTrue(message.contains("K3Y1"))
        assertFalse(made.working)

        // A refusal (G4: a queue they may not use) is said, and the sheet stays to choose again.
        console.refuseNext = ConsoleException(ConsoleException.Kind.REFUSED, "You are not in that team", 403, "G4")
        home.chooseKeyQueue(null)
        home.makeSessionKey()
        assertEquals("You are not in that team (G4)", home.state.value.message)
        assertNull(home.state.value.keySheet!!.key)
        home.closeSessionKey()
        assertNull(home.state.value.keySheet)
    }

    @Test
    fun expiryReadsAsTheClockWithTheDateWhenNotToday() {
        val utc = ZoneOffset.UTC
        assertEquals("14:05", expiry(FakeConsole.KEY_EXPIRES, utc, LocalDate.of(2026, 12, 2)))
        assertEquals("2 Dec 14:05", expiry(FakeConsole.KEY_EXPIRES, utc, LocalDate.of(2026, 12, 1)))
    }

    @Test
    fun presenceAndExtendedAvailabilityAreShownAndSwitchedThroughTheAppliance() {
        val console = FakeConsole()
        val home = HomePresenter(console, scope)
        assertEquals("Alice Archer", home.state.value.me)
        assertEquals("Available", home.state.value.presence)
        home.setExtendedAvailability(true)
        assertEquals(listOf<SessionCommand>(SessionCommand.SetExtendedAvailability(true)), console.performed)
        // The switch shows what the appliance recorded, not what was tapped.
        assertFalse(home.state.value.extendedAvailability)
        console.snapshots.value = console.snapshots.value.let { s ->
            s.copy(technicians = s.technicians.map { if (it.id == FakeConsole.ME) it.copy(extendedAvailability = true) else it })
        }
        assertTrue(home.state.value.extendedAvailability)
        assertEquals("Available · extended", home.state.value.presence)
    }

    @Test
    fun aHeldSessionIsOfferedBackAndResumingOpensIt() {
        val console = FakeConsole()
        console.snapshots.value = console.snapshots.value.let { s ->
            val kim = s.sessions.single().copy(queue = Queue.Personal(FakeConsole.ME), owner = null, held = true)
            s.copy(sessions = emptyList(), queued = s.queued + kim)
        }
        val home = HomePresenter(console, scope)
        assertEquals(listOf("Kim"), home.state.value.held.map { it.title })
        assertEquals("On hold · Linux", home.state.value.held.single().detail)
        assertEquals("held sessions are not new customers", listOf("Lee"), home.state.value.queues.first().sessions.map { it.title })
        home.resume(FakeConsole.SESSION)
        assertEquals(listOf<SessionCommand>(SessionCommand.AcceptFromQueue(FakeConsole.SESSION)), console.performed)
        assertEquals(FakeConsole.SESSION, home.state.value.open)
        home.opened()
        assertNull(home.state.value.open)
    }

    @Test
    fun jumpClientsAreListedByWhereTheyArePinnedSearchedAndJumpOpensTheNewSession() {
        val console = FakeConsole()
        val home = HomePresenter(console, scope)
        assertEquals(listOf("My jump clients", "Branch offices", "Data centre"), home.state.value.jump.map { it.name })
        assertEquals(listOf("Back office Mac", "Reception PC"), home.state.value.jump[1].clients.map { it.name })
        assertEquals("macOS", home.state.value.jump[1].clients[0].detail)

        home.searchJump("recep")
        assertEquals(listOf("Reception PC"), home.state.value.jump.flatMap { it.clients }.map { it.name })
        home.searchJump("data")
        assertEquals("a group's name matches its clients", listOf("build-07"), home.state.value.jump.flatMap { it.clients }.map { it.name })
        home.searchJump("nothing like it")
        assertTrue(home.state.value.jump.isEmpty())
        assertEquals(4, home.state.value.jumpCount)
        home.searchJump("")

        home.jump(80)
        assertEquals(listOf(80L), console.jumps)
        assertEquals(FakeConsole.JUMP_SESSION, home.state.value.open)
        home.opened()

        console.refuseNext = ConsoleException(ConsoleException.Kind.REFUSED, "You may not use this jump group", 403, "J1")
        home.jump(83)
        assertEquals("You may not use this jump group (J1)", home.state.value.message)
        assertNull(home.state.value.open)
        assertTrue(home.state.value.busy.isEmpty())
    }

    @Test
    fun signingOutEndsTheConsole() {
        val console = FakeConsole()
        val home = HomePresenter(console, scope)
        home.signOut()
        assertTrue(console.signedOut)
        assertTrue(home.state.value.signedOut)
    }
}
