package app.tandem

import android.app.NotificationManager
import android.content.Intent
import android.content.res.Configuration
import android.net.Uri
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.assert
import androidx.compose.ui.test.assertTextContains
import androidx.compose.ui.test.hasAnyDescendant
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.v2.createEmptyComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.printToString
import androidx.compose.ui.test.performTextReplacement
import androidx.test.core.app.ApplicationProvider
import app.tandem.console.api.SessionCommand
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController

/**
 * The Android shell (activity, foreground service, notifications, App Links) on Robolectric's real
 * framework, with the real TandemApplication, the host-built Rust library through JNA and a real
 * appliance. What only a device adds (the Android build of the library, the platform verifier's
 * JNI initialisation) is not here.
 */
@OptIn(ExperimentalTestApi::class)
@RunWith(RobolectricTestRunner::class)
class AppShellTest {
    @get:Rule val compose = createEmptyComposeRule()
    private val app = ApplicationProvider.getApplicationContext<TandemApplication>()
    private val appliance = RealAppliance()
    private var activity: ActivityController<MainActivity>? = null

    @Before
    fun signedOut() {
        app.console.value = null
    }

    @After
    fun close() {
        activity?.pause()?.stop()?.destroy()
        appliance.close()
    }

    private fun launch(intent: Intent): ActivityController<MainActivity> =
        Robolectric.buildActivity(MainActivity::class.java, intent).setup().also { activity = it }

    private fun launcher() = Intent(Intent.ACTION_MAIN).addCategory(Intent.CATEGORY_LAUNCHER).setClass(app, MainActivity::class.java)

    /** The App Link an S4 invitation mail carries, for the host in gradle.properties. */
    private fun link(invitation: Long) = Intent(Intent.ACTION_VIEW, Uri.parse("https://support.example.com/invitations/$invitation"))
        .addCategory(Intent.CATEGORY_BROWSABLE).setClass(app, MainActivity::class.java)

    /** Waits for [condition] on the screen; on failure says what was awaited and what the screen showed. */
    private fun waitFor(what: String, timeoutMs: Long, condition: () -> Boolean) = try {
        compose.waitUntil(timeoutMs, condition)
    } catch (e: androidx.compose.ui.test.ComposeTimeoutException) {
        throw AssertionError("$what: not within $timeoutMs ms; the screen: ${compose.onRoot().printToString()}", e)
    }

    private fun shown(tag: String) = compose.onAllNodesWithTagExists(tag)

    private fun invitationNotifications() =
        shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications.filter { it.channelId == Notifications.INVITATIONS }

    @Test
    fun fromTheLauncherATechnicianSignsInSeesTheirQueueAndTheServiceStarts() {
        launch(launcher())
        // The field starts with the emulator's address for the host (https://10.0.2.2:8443/).
        compose.onNodeWithTag("address").performTextReplacement(appliance.url)
        compose.onNodeWithTag("email").performTextInput("alice@demo.tandem")
        compose.onNodeWithTag("password").performTextInput(RealAppliance.PASSWORD)
        compose.onNodeWithTag("sign-in").performClick()
        // First contact: the certificate's fingerprint is shown before it is trusted.
        waitFor("shown('certificate')", 10_000) { shown("certificate") }
        compose.onNodeWithText(appliance.fingerprint).assertExists()
        // On a small screen the prompt is below the fold: the screen scrolls to it (a user would too).
        compose.onNodeWithTag("trust").performScrollTo().performClick()
        waitFor("shown('connection')", 10_000) { shown("connection") }
        val alice = app.console.value ?: throw AssertionError("the application keeps the signed-in console")
        val started = shadowOf(app).nextStartedService
        assertEquals("signing in starts the foreground service", SessionService::class.java.name, started?.component?.className)

        appliance.customer(alice, "Pat at the front desk")
        waitFor("compose.onAllNodesWithTextExists('Pat at the front desk')", 10_000) { compose.onAllNodesWithTextExists("Pat at the front desk") }
        compose.onNodeWithText("My queue").assertExists()
        compose.onNodeWithText("Take").assertExists()
    }

    /** Fills the sign-in screen and sends it; on first contact, trusts the certificate. */
    private fun signInThroughTheScreen(email: String) {
        compose.onNodeWithTag("address").performTextReplacement(appliance.url)
        compose.onNodeWithTag("email").performTextReplacement(email)
        compose.onNodeWithTag("password").performTextReplacement(RealAppliance.PASSWORD)
        compose.onNodeWithTag("sign-in").performClick()
        waitFor("the certificate, the code or the home screen", 10_000) { shown("certificate") || shown("code") || shown("connection") }
        if (shown("certificate")) compose.onNodeWithTag("trust").performScrollTo().performClick()
    }

    private fun textOf(tag: String) =
        compose.onNodeWithTag(tag).fetchSemanticsNode().config[androidx.compose.ui.semantics.SemanticsProperties.Text].joinToString("") { it.text }

    /**
     * Issue 26: Dave sets up two-step sign-in from the account menu with his authenticator app's first code, on the real
     * appliance; signed out and in again, the app asks for a code after the password, and a recovery code signs him in.
     */
    @Test
    fun twoStepSignInIsSetUpFromTheMenuAndAskedAtTheNextSignIn() {
        launch(launcher())
        signInThroughTheScreen("dave@demo.tandem")
        waitFor("shown('connection')", 10_000) { shown("connection") }
        compose.onNodeWithTag("account").performClick()
        compose.onNodeWithTag("two-step").performClick()
        waitFor("shown('two-step-start')", 10_000) { shown("two-step-start") }
        compose.onNodeWithTag("two-step-start").performClick()
        waitFor("shown('two-step-key')", 10_000) { shown("two-step-key") }
        val key = textOf("two-step-key").replace(" ", "")
        compose.onNodeWithTag("two-step-code").performTextInput(Totp.now(key))
        compose.onNodeWithTag("two-step-confirm").performClick()
        waitFor("shown('two-step-recovery')", 10_000) { shown("two-step-recovery") }
        val recovery = textOf("two-step-recovery").lines()
        assertEquals(10, recovery.size)
        compose.onNodeWithTag("two-step-close").performClick()
        waitFor("shown('account')", 10_000) { shown("account") }
        compose.onNodeWithTag("account").performClick()
        compose.onNodeWithTag("sign-out").performClick()
        waitFor("shown('address')", 10_000) { shown("address") }

        signInThroughTheScreen("dave@demo.tandem")
        waitFor("shown('code')", 10_000) { shown("code") }
        compose.onNodeWithTag("code-asked").assertExists()
        compose.onNodeWithTag("code").performTextInput("000000")
        compose.onNodeWithTag("sign-in").performClick()
        waitFor("the wrong code refused", 10_000) { compose.onAllNodesWithTextExists("That code is not right: type the six digits your authenticator app shows now, or a recovery code") }
        compose.onNodeWithTag("code").performTextInput(recovery.first())
        compose.onNodeWithTag("sign-in").performClick()
        waitFor("shown('connection')", 10_000) { shown("connection") }
        assertNotNull(app.console.value)
    }

    @Test
    fun theServiceStopsItselfWhenNobodyIsSignedIn() {
        val service = Robolectric.buildService(SessionService::class.java).create().startCommand(0, 1).get()
        // Android requires the notification even when the service stops at once.
        assertNotNull("a foreground notification", shadowOf(service).lastForegroundNotification)
        assertTrue("stopped without a console", shadowOf(service).isStoppedBySelf)
    }

    @Test
    fun eachIncomingInvitationIsNotifiedOnce() {
        val alice = appliance.signIn("alice")
        val bob = appliance.signIn("bob")
        app.console.value = bob
        val service = Robolectric.buildService(SessionService::class.java).create().startCommand(0, 1)
        assertTrue(!shadowOf(service.get()).isStoppedBySelf)

        val first = appliance.invitation(alice, bob, "Pat at the front desk")
        eventually("the first notification") { invitationNotifications().takeIf { it.size == 1 } }
        // Other changes to Bob's snapshot (his extended availability) do not notify it again.
        assertTrue(bob.snapshot().incoming.any { it.id == first })
        runBlocking { bob.perform(SessionCommand.SetExtendedAvailability(true)) }
        bob.next("Bob's new snapshot") { it.technician(bob.me)?.extendedAvailability?.takeIf { a -> a } }
        eventually("the main looper to settle") { Unit.takeIf { shadowOf(android.os.Looper.getMainLooper()).isIdle } }
        assertEquals(1, invitationNotifications().size)

        val second = appliance.invitation(alice, bob, "Sam in the warehouse")
        val both = eventually("a second notification") { invitationNotifications().takeIf { it.size == 2 } }
        // Each names who invites; the customer's name is not in an invitee's snapshot before
        // accepting, so the text says "a customer" (noted for the phone-day issue).
        val alicesName = bob.snapshot().technician(alice.me)!!.name
        assertEquals(listOf("$alicesName invites you", "$alicesName invites you"), both.map { it.extras.getString("android.title") })
        val manager = shadowOf(app.getSystemService(NotificationManager::class.java))
        for (id in listOf(first, second)) assertNotNull("invitation $id notified", manager.getNotification("invitation", id.toInt()))
        service.destroy()
    }

    @Test
    fun signingOutFromTheAccountMenuReturnsToSignInAndStopsTheService() {
        app.console.value = appliance.signIn("alice")
        launch(launcher())
        waitFor("shown('account')", 10_000) { shown("account") }
        compose.onNodeWithTag("account").performClick()
        compose.onNodeWithTag("sign-out").performClick()
        waitFor("shown('address')", 10_000) { shown("address") }
        assertNull("the application forgets the console", app.console.value)
        assertEquals(SessionService::class.java.name, shadowOf(app).nextStoppedService?.component?.className)
    }

    private fun messageNotifications() =
        shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications.filter { it.channelId == Notifications.MESSAGES }

    @Test
    fun whatACustomerSaysIsNotifiedWhileTheAppIsInTheBackgroundOnly() {
        val alice = appliance.signIn("alice")
        val session = appliance.customer(alice, "Pat at the front desk")
        runBlocking { alice.perform(SessionCommand.AcceptFromQueue(session)) }
        app.console.value = alice
        app.inForeground.value = true
        val service = Robolectric.buildService(SessionService::class.java).create().startCommand(0, 1)

        appliance.customerSays("Pat at the front desk", "Is anyone there?")
        alice.next("the line on Alice's console") { s -> s.session(session)?.chat?.firstOrNull { it.text == "Is anyone there?" } }
        eventually("the main looper to settle") { Unit.takeIf { shadowOf(android.os.Looper.getMainLooper()).isIdle } }
        assertTrue("nothing while the app is on screen", messageNotifications().isEmpty())

        app.inForeground.value = false
        appliance.customerSays("Pat at the front desk", "The printer is on fire")
        val shown = eventually("a message notification") { messageNotifications().takeIf { it.isNotEmpty() } }.single()
        assertEquals("Pat at the front desk", shown.extras.getString("android.title"))
        assertEquals("The printer is on fire", shown.extras.getCharSequence("android.text").toString())
        // Tapping it opens that session.
        val intent = shadowOf(shown.contentIntent).savedIntent
        assertEquals(session, intent.getLongExtra(MainActivity.OPEN_SESSION, 0))
        service.destroy()
    }

    @Test
    fun anInvitationLinkWhileSignedOutOpensSignIn() {
        // The merged manifest routes the link to the activity (the host comes from gradle.properties).
        val handlers = app.packageManager.queryIntentActivities(link(7).setComponent(null).setPackage(app.packageName), 0)
        assertEquals(listOf(MainActivity::class.java.name), handlers.map { it.activityInfo.name })
        launch(link(7))
        waitFor("shown('address')", 5_000) { shown("address") }
        compose.onNodeWithTag("sign-in").assertExists()
    }

    @Test
    fun anInvitationLinkWhileSignedInPutsThatInvitationFirst() {
        val alice = appliance.signIn("alice")
        val bob = appliance.signIn("bob")
        val older = appliance.invitation(alice, bob, "Pat at the front desk")
        val linked = appliance.invitation(alice, bob, "Sam in the warehouse")
        app.console.value = bob
        launch(link(linked))
        waitFor("shown('invitation-$older') && shown('invitation-$linked')", 10_000) { shown("invitation-$older") && shown("invitation-$linked") }
        compose.onNodeWithTag("invitation-$linked").assert(hasAnyDescendant(hasText("from your link", substring = true)))
        fun top(id: Long) = compose.onNodeWithTag("invitation-$id").fetchSemanticsNode().boundsInRoot.top
        assertTrue("the linked invitation comes first", top(linked) < top(older))

        // A link tapped while the app runs (singleTask) arrives as a new intent.
        activity!!.newIntent(link(older))
        waitFor("top(older) < top(linked)", 5_000) { top(older) < top(linked) }
        compose.onNodeWithTag("invitation-$older").assert(hasAnyDescendant(hasText("from your link", substring = true)))
    }

    @Test
    fun rotatingKeepsWhatWasTypedAndRecreatingKeepsTheSignedInConsole() {
        val controller = launch(launcher())
        compose.onNodeWithTag("address").performTextReplacement("https://support.example.com")
        compose.onNodeWithTag("email").performTextInput("alice@demo.tandem")
        val landscape = Configuration(app.resources.configuration).apply { orientation = Configuration.ORIENTATION_LANDSCAPE }
        controller.configurationChange(landscape)
        compose.onNodeWithTag("address").assertTextContains("https://support.example.com")
        compose.onNodeWithTag("email").assertTextContains("alice@demo.tandem")
        assertNull(app.console.value)

        // Recreated (a change the manifest does not handle): whoever signed in stays signed in.
        app.console.value = appliance.signIn("alice")
        controller.recreate()
        waitFor("shown('connection')", 10_000) { shown("connection") }
        assertTrue("no sign-in screen", !shown("address"))
    }
}

private fun androidx.compose.ui.test.junit4.ComposeTestRule.onAllNodesWithTagExists(tag: String) =
    onAllNodes(androidx.compose.ui.test.hasTestTag(tag)).fetchSemanticsNodes().isNotEmpty()

private fun androidx.compose.ui.test.junit4.ComposeTestRule.onAllNodesWithTextExists(text: String) =
    onAllNodes(androidx.compose.ui.test.hasText(text)).fetchSemanticsNodes().isNotEmpty()

/** An authenticator app's code (RFC 6238: HMAC-SHA1, 30 s steps, six digits) for a base32 key, as the test's "phone". */
object Totp {
    fun now(key: String): String {
        val alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        var bits = 0
        var value = 0
        val bytes = java.io.ByteArrayOutputStream()
        for (c in key.uppercase().filter { it != '=' }) {
            value = (value shl 5) or alphabet.indexOf(c)
            bits += 5
            if (bits >= 8) {
                bytes.write((value ushr (bits - 8)) and 0xff)
                bits -= 8
            }
        }
        val step = System.currentTimeMillis() / 1000 / 30
        val mac = javax.crypto.Mac.getInstance("HmacSHA1")
        mac.init(javax.crypto.spec.SecretKeySpec(bytes.toByteArray(), "HmacSHA1"))
        val hash = mac.doFinal(java.nio.ByteBuffer.allocate(8).putLong(step).array())
        val at = hash.last().toInt() and 0x0f
        val number = ((hash[at].toInt() and 0x7f) shl 24) or ((hash[at + 1].toInt() and 0xff) shl 16) or
            ((hash[at + 2].toInt() and 0xff) shl 8) or (hash[at + 3].toInt() and 0xff)
        return (number % 1_000_000).toString().padStart(6, '0')
    }
}
