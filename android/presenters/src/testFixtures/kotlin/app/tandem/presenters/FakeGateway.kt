package app.tandem.presenters

import app.tandem.console.api.Certificate
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Gateway

/** An appliance for tests: presents [presented], and lets in the password "right". */
class FakeGateway(var presented: String) : Gateway {
    val signIns = mutableListOf<String?>()

    override suspend fun firstContact(address: String) = Certificate("Tandem", "0.1.0", address, announced = presented, presented = presented)

    override suspend fun signIn(address: String, fingerprint: String?, email: String, password: String): Console {
        signIns += fingerprint
        if (password != "right") throw ConsoleException(ConsoleException.Kind.REFUSED, "Wrong e-mail or password", 401, null)
        return FakeConsole()
    }
}
