package app.tandem.presenters

import app.tandem.console.api.CustomerLink
import app.tandem.console.api.Notice
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Test

/** What the technician reads about the customer's connection as the appliance records it (issue 12, A3). */
class CustomerLinkTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)

    @After
    fun stop() = scope.cancel()

    private fun FakeConsole.customerIs(link: CustomerLink) = snapshots.value.let { s ->
        snapshots.value = s.copy(
            sessions = s.sessions.map {
                if (it.id == FakeConsole.SESSION) it.copy(customer = it.customer.copy(connected = link == CustomerLink.ONLINE || link == CustomerLink.RECONNECTING, link = link)) else it
            },
        )
    }

    @Test
    fun aMailTheApplianceCouldNotSendIsToldOnceOnTheOpenScreen() {
        val console = FakeConsole()
        val session = SessionPresenter(console, FakeConsole.SESSION, scope)
        val text = "The invitation e-mail could not be sent (connection refused). Copy the invitation link and send it another way."
        console.snapshots.value = console.snapshots.value.copy(notices = listOf(Notice(900, 0, text)))
        assertEquals(text, session.state.value.message)
        session.dismissMessage()
        // Another update that still holds the same notice: it is not shown again.
        console.customerIs(CustomerLink.RECONNECTING)
        assertEquals("Linux · Full client · reconnecting…", session.state.value.detail)
        assertEquals("shown once", null, session.state.value.message)
    }

    @Test
    fun theCustomersDroppedConnectionReadsAsReconnectingThenBackThenLeft() {
        val console = FakeConsole()
        val session = SessionPresenter(console, FakeConsole.SESSION, scope)
        assertEquals("Linux · Full client", session.state.value.detail)
        console.customerIs(CustomerLink.RECONNECTING)
        assertEquals("Linux · Full client · reconnecting…", session.state.value.detail)
        console.customerIs(CustomerLink.ONLINE)
        assertEquals("Linux · Full client", session.state.value.detail)
        console.customerIs(CustomerLink.CONNECTION_LOST)
        assertEquals("Linux · Full client · left (connection lost)", session.state.value.detail)
    }
}
