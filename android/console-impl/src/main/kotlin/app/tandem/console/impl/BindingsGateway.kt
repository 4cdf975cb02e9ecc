package app.tandem.console.impl

import app.tandem.console.api.Certificate
import app.tandem.console.api.Console
import app.tandem.console.api.Gateway
import uniffi.tandem_ffi.TandemConsole

/** The [Gateway] over the Rust core: the only entry into the generated bindings. */
class BindingsGateway : Gateway {
    override suspend fun firstContact(address: String): Certificate = mapped { uniffi.tandem_ffi.firstContact(address).toCertificate() }

    override suspend fun signIn(address: String, fingerprint: String?, email: String, password: String): Console =
        mapped { BindingsConsole(TandemConsole.signIn(address, fingerprint, email, password)) }
}
