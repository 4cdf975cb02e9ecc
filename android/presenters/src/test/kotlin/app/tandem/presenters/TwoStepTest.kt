package app.tandem.presenters

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

/** Two-step sign-in set up from the phone (issue 26), over the fake console. */
class TwoStepTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Unconfined)

    @After
    fun stop() = scope.cancel()

    @Test
    fun itIsSetUpWithTheKeyAndTurnedOnWithTheAppsFirstCode() {
        val console = FakeConsole()
        val p = TwoStepPresenter(console, scope)
        assertEquals(TwoStepPresenter.Step.Off, p.state.value.step)
        p.start()
        val setup = p.state.value.step as TwoStepPresenter.Step.Setup
        assertEquals("JBSWY3DPEHPK3PXP", setup.key)
        assertFalse("no code yet", p.state.value.canConfirm)
        p.editCode("65 43 21")
        assertEquals("654321", p.state.value.code)
        p.confirm()
        assertEquals("That code is not right", p.state.value.message)
        assertTrue("still setting up", p.state.value.step is TwoStepPresenter.Step.Setup)
        p.editCode("123456")
        p.confirm()
        val on = p.state.value.step as TwoStepPresenter.Step.On
        assertEquals(10, on.recoveryCodes.size)
        assertTrue(console.twoStepState.enabled)
        // Opened again later: on, and the recovery codes are not shown again.
        assertEquals(TwoStepPresenter.Step.On(), TwoStepPresenter(console, scope).state.value.step)
    }
}
