package app.tandem.console.impl

import app.tandem.console.api.Certificate
import app.tandem.console.api.Console
import app.tandem.console.api.Gateway
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import uniffi.tandem_ffi.TandemConsole

/** The [Gateway] over the Rust core: the only entry into the generated bindings. */
class BindingsGateway : Gateway {
    override suspend fun firstContact(address: String): Certificate =
        withContext(Dispatchers.Default) { mapped { uniffi.tandem_ffi.firstContact(address).toCertificate() } }

    // Off the main thread: the console reads its first state from the core as it is made.
    override suspend fun signIn(address: String, fingerprint: String?, email: String, password: String, code: String?): Console =
        withContext(Dispatchers.Default) { mapped { BindingsConsole(TandemConsole.signIn(address, fingerprint, email, password, code)) } }
}
