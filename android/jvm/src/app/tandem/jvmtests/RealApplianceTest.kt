package app.tandem.jvmtests

import app.tandem.console.api.Console
import app.tandem.console.impl.BindingsGateway
import app.tandem.presenters.Dialog
import app.tandem.presenters.await
import app.tandem.presenters.FlyoutPresenter
import app.tandem.presenters.HomePresenter
import app.tandem.presenters.MemoryTrust
import app.tandem.presenters.MenuItem
import app.tandem.presenters.SessionPresenter
import app.tandem.presenters.SignInPresenter
import java.io.File
import java.nio.file.Files
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * The presenters on the real stack: the api implementation over the generated bindings, the
 * Rust core, a real appliance (started by run-tests) and the real customer client. What a
 * technician does on the phone, minus the pixels.
 */
class RealApplianceTest {
    private val url = System.getenv("TANDEM_URL") ?: error("run with android/jvm/run-tests")
    private val fingerprint = System.getenv("TANDEM_FINGERPRINT")!!
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    private val home = Files.createTempDirectory("tandem-customer").toFile()
    private var customer: Process? = null

    @After
    fun stop() {
        customer?.destroyForcibly()
        // A jump client's agent runs detached; stop it if a test failed before unpinning did.
        File(home, ".local/share/tandem/jump-client/agent.pid").takeIf { it.exists() }?.readText()?.trim()?.toLongOrNull()
            ?.let { ProcessHandle.of(it).ifPresent { p -> p.destroyForcibly() } }
        scope.cancel()
        home.deleteRecursively()
    }

    /** Waits for a state, and on failure says what the customer client printed too. */
    private fun <T> StateFlow<T>.until(what: String, test: (T) -> Boolean): T = try {
        await(what, test = test)
    } catch (e: AssertionError) {
        throw AssertionError("${e.message}; the customer said ${File(home, "out").takeIf { it.exists() }?.readText()} ${File(home, "err").takeIf { it.exists() }?.readText()}", e)
    }

    private fun signIn(who: String, trust: MemoryTrust = MemoryTrust()): Console {
        val console = CompletableDeferred<Console>()
        val presenter = SignInPresenter(BindingsGateway(), trust, scope) { console.complete(it) }
        presenter.edit(address = url, email = "$who@demo.tandem", password = "tandem-demo-2026")
        presenter.submit()
        val prompt = presenter.state.until("the certificate prompt") { it.step is SignInPresenter.Step.ConfirmCertificate }
        val shown = (prompt.step as SignInPresenter.Step.ConfirmCertificate).certificate
        assertEquals("the fingerprint shown is the one the appliance printed", fingerprint, shown.presented)
        presenter.trustCertificate()
        return runBlocking { withTimeout(10_000) { console.await() } }
    }

    private fun <T> List<T>.one(what: String, test: (T) -> Boolean): T = firstOrNull(test) ?: error("no $what in $this")

    private fun FlyoutPresenter.item(label: String): MenuItem =
        state.until("“$label” in the menu") { st -> st.items.flatMap { listOf(it) + it.children }.any { it.label == label } }
            .items.flatMap { listOf(it) + it.children }.one(label) { it.label == label }

    /** The dialog a tap opened: it opens once the rules engine's menu was asked (off the main thread). */
    private inline fun <reified D : Dialog> FlyoutPresenter.dialog(): D =
        state.until("a ${D::class.simpleName} dialog") { it.dialog is D }.dialog as D

    @Test
    fun aTechnicianTakesAChatSharesItAndInvitesAnExternalUserFromTheFlyoutMenu() {
        val alice = signIn("alice")
        val bob = signIn("bob")
        val key = runBlocking { alice.sessionKey(null) }.key
        customer = ProcessBuilder(System.getenv("TANDEM_CUSTOMER"), "--url", url, "--fingerprint", fingerprint, "--key", key, "--name", "Pat from Accounts", "--allow-all")
            .apply {
                environment()["HOME"] = home.path
                redirectOutput(File(home, "out"))
                redirectError(File(home, "err"))
            }.start()

        val aliceHome = HomePresenter(alice, scope)
        val queued = aliceHome.state.until("Pat in Alice's queue") { h -> h.queues.any { q -> q.name == "My queue" && q.sessions.any { it.title == "Pat from Accounts" } } }
        val s = queued.queues.one("my queue") { it.name == "My queue" }.sessions.one("Pat") { it.title == "Pat from Accounts" }.session
        aliceHome.take(s)
        aliceHome.state.until("the session in Alice's list") { h -> h.mine.any { it.session == s } }

        val session = SessionPresenter(alice, s, scope)
        session.editDraft("Hello from the phone")
        session.send()
        session.state.until("the chat line") { st -> st.chat.any { it.text == "Hello from the phone" && it.mine } }

        // Share Session → a team → Bob (with his presence), through the real rules engine's menu.
        val flyout = session.flyout
        fun removable(): List<String> {
            flyout.choose(flyout.item("Remove Member"))
            val options = flyout.dialog<Dialog.Pick>().options.map { it.label }
            flyout.dismiss()
            return options
        }
        assertEquals("only the customer can be removed (M1)", listOf("Pat from Accounts"), removable())
        flyout.choose(flyout.item("Invite a team member"))
        val teams = flyout.dialog<Dialog.ShareTeams>()
        // The team first, then its members: Bob is in one of the teams offered.
        val bobOption = teams.teams.firstNotNullOfOrNull { team ->
            flyout.chooseTeam(team)
            flyout.state.until("${team.label}'s members") { (it.dialog as? Dialog.ShareMembers)?.team == team.label }
            flyout.dialog<Dialog.ShareMembers>().members.firstOrNull { it.label.startsWith("Bob") }
        } ?: error("Bob is in none of ${teams.teams}")
        assertTrue(bobOption.detail.startsWith("Available"))
        flyout.pick(bobOption)
        val bobHome = HomePresenter(bob, scope)
        val invited = bobHome.state.until("Bob's invitation") { h -> h.invitations.any { it.session == s } }
        bobHome.accept(invited.invitations.one("invitation") { it.session == s }.invitation)
        alice.updates().await("Bob in the session") { snapshot -> snapshot.session(s)?.members?.any { snapshot.technician(it)?.name?.startsWith("Bob") == true } == true }
        assertTrue("Bob can be removed now", removable().any { it.startsWith("Bob") })

        // External → Invite External Representative: the policy's full description, then the link.
        flyout.choose(flyout.item("Invite External Representative"))
        val invite = flyout.dialog<Dialog.InviteExternal>()
        val viewOnly = invite.policies.firstOrNull { it.name == "View only" } ?: error("policies offered: ${invite.policies}")
        assertTrue(viewOnly.description.startsWith("Sees the customer's screen and chats."))
        flyout.editInvite(policy = viewOnly.id, name = "Vera Vendor", comments = "Printer firmware")
        flyout.sendInvite()
        val ready = flyout.state.until("the link") { it.dialog is Dialog.ExternalLinkReady }
        val link = (ready.dialog as Dialog.ExternalLinkReady).link
        // The appliance names itself by its address (127.0.0.1 here, where the tests reach it as localhost).
        val port = java.net.URI(url).port
        assertTrue(link, link.matches(Regex("https://[^/]+:$port/join/[A-Za-z0-9_-]{20,}")))
        flyout.dismiss()

        // Close Session → End: the session leaves Alice's screen and the customer client exits.
        flyout.choose(flyout.item("End Session"))
        flyout.dialog<Dialog.ConfirmClose>()
        flyout.confirmClose()
        session.state.until("the session to close") { it.gone }
        assertTrue(customer!!.waitFor(10, TimeUnit.SECONDS))
        runBlocking { alice.signOut(); bob.signOut() }
    }

    private fun startCustomer(link: String, name: String): Process =
        ProcessBuilder(System.getenv("TANDEM_CUSTOMER"), "--link", link, "--fingerprint", fingerprint, "--name", name, "--allow-all")
            .apply {
                environment()["HOME"] = home.path
                // The test's own TANDEM_URL would be the client's --url, which a link excludes; the
                // jump client installs under HOME, as on a computer without XDG directories set.
                environment().remove("TANDEM_URL")
                environment().remove("XDG_DATA_HOME")
                environment().remove("XDG_CONFIG_HOME")
                environment()["TANDEM_LOG"] = "info"
                redirectOutput(File(home, "out"))
                redirectError(File(home, "err"))
            }.start()

    /**
     * Issue 13 on the real stack: a session key made on the home screen's sheet brings the real
     * customer client (started with the link the technician shares) into the chosen queue; a
     * jump client pinned from the flyout menu is listed under Jump, and Jump starts an
     * unattended session that the real agent joins; held, it is offered back and resumed.
     */
    @Test
    fun aKeyFromTheHomeScreenBringsACustomerAndAJumpFromTheListStartsAnUnattendedSession() {
        val alice = signIn("alice")
        val home = HomePresenter(alice, scope)
        home.newSessionKey()
        home.makeSessionKey()
        val made = home.state.until("the key") { it.keySheet?.key != null }.keySheet!!
        assertTrue("the shared text holds the link", made.message!!.contains(made.key!!.url))
        customer = startCustomer(made.key!!.url, "Pat with a key")
        val queued = home.state.until("Pat in Alice's queue") { h -> h.queues.any { q -> q.name == "My queue" && q.sessions.any { it.title == "Pat with a key" } } }
        val s = queued.queues.flatMap { it.sessions }.one("Pat") { it.title == "Pat with a key" }.session
        home.closeSessionKey()
        home.take(s)
        home.state.until("the session in Alice's list") { h -> h.mine.any { it.session == s } }

        // Pin a jump client to her personal list from the flyout menu; the agent installs itself.
        val session = SessionPresenter(alice, s, scope)
        session.state.until("the session") { it.customer == "Pat with a key" }
        val flyout = session.flyout
        flyout.choose(flyout.item("Pin Jump Client"))
        val pick = flyout.dialog<Dialog.Pick>()
        flyout.pick(pick.options.one("the personal list") { it.label == "My personal list" })
        val listed = home.state.until("the jump client under Jump") { h -> h.jump.any { g -> g.name == "My jump clients" && g.clients.isNotEmpty() } }
        val jumpClient = listed.jump.flatMap { it.clients }.single()
        val agentPid = File(home(), ".local/share/tandem/jump-client/agent.pid")
        // The agent copies the program and starts (customer/tests/jump.rs allows it as long).
        val installing = System.nanoTime()
        while (!agentPid.exists()) {
            if (System.nanoTime() - installing > 30_000_000_000) throw AssertionError("no agent installed; the customer said ${File(home(), "out").readText()} ${File(home(), "err").readText()}")
            Thread.sleep(50)
        }

        // End: the customer client leaves; the jump client stays (J1, C1).
        flyout.choose(flyout.item("End Session"))
        flyout.dialog<Dialog.ConfirmClose>()
        flyout.confirmClose()
        assertTrue(customer!!.waitFor(10, TimeUnit.SECONDS))
        home.searchJump(jumpClient.name.take(3))
        assertEquals(listOf(jumpClient.jumpClient), home.state.value.jump.flatMap { it.clients }.map { it.jumpClient })

        // Jump: an unattended session, Alice's at once, that the agent joins.
        home.jump(jumpClient.jumpClient)
        val u = home.state.until("the unattended session to open") { it.open != null }.open!!
        home.opened()
        // Started and taken in one commit, but applied event by event: wait for both (waiting
        // for the session alone once saw it before its owner, a flake).
        val unattended = alice.updates().await("Alice's unattended session through the jump client") { st ->
            st.session(u)?.let { it.owner == alice.me && it.customer.connected && it.jumpClient == jumpClient.jumpClient } == true
        }
        assertEquals("no longer waiting in a queue", null, unattended.session(u)!!.queue)
        assertTrue(home.state.until("listed as unattended") { h -> h.mine.any { it.session == u && it.detail.contains("Unattended") } }.mine.isNotEmpty())

        // Hold it (C2): offered back under On hold, and Resume opens it again.
        val held = SessionPresenter(alice, u, scope)
        held.flyout.choose(held.flyout.item("Hold"))
        held.flyout.dialog<Dialog.ConfirmClose>()
        held.flyout.confirmClose()
        home.state.until("the held session offered back") { h -> h.held.any { it.session == u } }
        home.resume(u)
        assertEquals(u, home.state.until("resumed and opened") { it.open == u }.open)
        home.state.until("Alice's again") { h -> h.mine.any { it.session == u } && h.held.isEmpty() }

        // Unpin (J1): the agent uninstalls itself.
        val again = SessionPresenter(alice, u, scope)
        again.state.until("the unattended session's menu") { st -> st.customer.isNotEmpty() }
        again.flyout.choose(again.flyout.item("Unpin Jump Client"))
        again.flyout.dialog<Dialog.ConfirmClose>()
        again.flyout.confirmClose()
        val leaving = System.nanoTime()
        while (agentPid.exists()) {
            if (System.nanoTime() - leaving > 30_000_000_000) throw AssertionError("the agent did not uninstall itself")
            Thread.sleep(50)
        }
        home.state.until("the jump client unlisted") { it.jumpCount == 0 }
        runBlocking { alice.perform(app.tandem.console.api.SessionCommand.End(u)); alice.signOut() }
    }

    private fun home() = home

    /**
     * Issue 28 on the real stack: a Windows customer (the real Windows client under Wine, joined
     * with the link the technician shares) is named as Windows on the phone, and the flyout menu
     * offers elevation (E4: Windows customers can be elevated); Prompt Customer elevates it (under
     * Wine `runas` asks nobody; on Windows UAC asks the customer), the session says so, and the
     * menu then greys elevation with the rules engine's reason.
     */
    @Test
    fun aWindowsCustomerIsNamedAsSuchAndElevatedFromTheFlyoutMenu() {
        val windows = System.getenv("TANDEM_WINDOWS_CUSTOMER") ?: error("run with android/jvm/run-tests (TANDEM_WINDOWS_CUSTOMER)")
        val alice = signIn("alice")
        val homeScreen = HomePresenter(alice, scope)
        homeScreen.newSessionKey()
        homeScreen.makeSessionKey()
        val made = homeScreen.state.until("the key") { it.keySheet?.key != null }.keySheet!!
        homeScreen.closeSessionKey()
        customer = ProcessBuilder(windows, "--link", made.key!!.url, "--fingerprint", fingerprint, "--name", "Sam on Windows", "--terminal", "--allow-all")
            .apply {
                environment().remove("TANDEM_URL")
                environment()["DISPLAY"] = System.getenv("TANDEM_TEST_DISPLAY")
                redirectOutput(File(home, "out"))
                redirectError(File(home, "err"))
            }.start()
        try {
            val queued = homeScreen.state.until("Sam in Alice's queue") { h -> h.queues.any { q -> q.sessions.any { it.title == "Sam on Windows" } } }
            val s = queued.queues.flatMap { it.sessions }.one("Sam") { it.title == "Sam on Windows" }.session
            homeScreen.take(s)
            homeScreen.state.until("the session in Alice's list") { h -> h.mine.any { it.session == s } }
            val session = SessionPresenter(alice, s, scope)
            assertEquals("Windows · Full client", session.state.until("Sam's session") { it.customer == "Sam on Windows" }.detail)
            val flyout = session.flyout
            // Windows customers can be elevated (E4): offered once the menu reflects Alice's ownership.
            val prompt = flyout.state.until("Prompt Customer offered") { st ->
                st.items.flatMap { listOf(it) + it.children }.any { it.label == "Prompt Customer" && it.enabled }
            }.items.flatMap { listOf(it) + it.children }.one("Prompt Customer") { it.label == "Prompt Customer" }
            flyout.choose(prompt)
            session.state.until("the elevated client") { it.detail.startsWith("Windows · Administrator") }
            val after = flyout.state.until("elevation greyed") { st ->
                st.items.flatMap { listOf(it) + it.children }.any { it.label == "Prompt Customer" && !it.enabled }
            }.items.flatMap { listOf(it) + it.children }.one("Prompt Customer") { it.label == "Prompt Customer" }
            assertTrue("the reason names the rule: ${after.reason}", after.reason!!.contains("(E2)"))
            runBlocking { alice.perform(app.tandem.console.api.SessionCommand.End(s)); alice.signOut() }
        } finally {
            // Wine's processes outlive the one started here: stop them all.
            ProcessBuilder("wineserver", "-k").apply { environment()["WINEPREFIX"] = System.getenv("TANDEM_WINEPREFIX") }.start().waitFor(10, TimeUnit.SECONDS)
        }
    }

    @Test
    fun theCustomersScreenReachesThePresenterThroughTheRealStack() {
        val alice = signIn("alice")
        val key = runBlocking { alice.sessionKey(null) }.key
        customer = ProcessBuilder(System.getenv("TANDEM_CUSTOMER"), "--url", url, "--fingerprint", fingerprint, "--key", key, "--name", "Pat on a display", "--allow-all")
            .apply {
                environment()["HOME"] = home.path
                environment()["DISPLAY"] = System.getenv("TANDEM_TEST_DISPLAY")
                redirectOutput(File(home, "out"))
                redirectError(File(home, "err"))
            }.start()
        val aliceHome = HomePresenter(alice, scope)
        val queued = aliceHome.state.until("Pat in the queue") { h -> h.queues.any { q -> q.sessions.any { it.title == "Pat on a display" } } }
        val s = queued.queues.flatMap { it.sessions }.one("Pat") { it.title == "Pat on a display" }.session
        aliceHome.take(s)
        val session = SessionPresenter(alice, s, scope)
        session.state.until("the session") { it.customer == "Pat on a display" }
        session.viewScreen()
        session.state.until("the screen shared") { it.screen == app.tandem.console.api.ScreenShare.VIEW }

        val screen = app.tandem.presenters.ScreenPresenter(alice, s, scope)
        screen.open()
        val frame = screen.frame.until("a frame") { it != null }!!
        // run-tests paints the display red (xsetroot); the bytes are B G R A.
        val (w, h) = System.getenv("TANDEM_TEST_DISPLAY_SIZE").split("x").map { it.toInt() }
        assertEquals(w to h, frame.width to frame.height)
        // (A quarter of the way in: the customer's pointer, drawn on the picture, starts in the middle.)
        val quarter = (frame.height / 4 * frame.width + frame.width / 4) * 4
        assertEquals(listOf(0, 0, 255, 255), (0 until 4).map { frame.pixels[quarter + it].toInt() and 0xFF })
        screen.close()
        runBlocking { alice.perform(app.tandem.console.api.SessionCommand.End(s)); alice.signOut() }
    }
}
