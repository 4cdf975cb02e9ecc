package app.tandem.presenters

import app.tandem.console.api.Certificate
import app.tandem.console.api.Console
import app.tandem.console.api.ConsoleException
import app.tandem.console.api.Gateway

/** An appliance for tests: presents [presented], and lets in the password "right". */
class FakeGateway(var presented: String) : Gateway {
    val signIns = mutableListOf<String?>()

    override suspend fun firstContact(address: String) = Certificate("Tandem", "0.1.0", address, announced = presented, presented = presented)

    /** The code an account with two-step sign-in on must send, if this one has it on. */
    var secondFactor: String? = null
    val codes = mutableListOf<String?>()

    override suspend fun signIn(address: String, fingerprint: String?, email: String, password: String, code: String?): Console {
        signIns += fingerprint
        codes += code
        if (password != "right") throw ConsoleException(ConsoleException.Kind.REFUSED, "Wrong e-mail or password", 401, null)
        val wanted = secondFactor
        if (wanted != null && code == null) {
            throw ConsoleException(ConsoleException.Kind.REFUSED, "Type the six-digit code your authenticator app shows for Tandem", 401, null,
                ConsoleException.SECOND_FACTOR_REQUIRED)
        }
        if (wanted != null && code != wanted) throw ConsoleException(ConsoleException.Kind.REFUSED, "That code is not right", 401, null, "unauthorized")
        return FakeConsole()
    }
}
