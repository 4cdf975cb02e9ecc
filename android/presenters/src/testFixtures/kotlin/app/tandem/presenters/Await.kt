package app.tandem.presenters

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull

/** The first value that passes [test], waiting for it to be emitted (not polling); fails saying [what]. */
fun <T> Flow<T>.await(what: String, timeoutMs: Long = 10_000, test: (T) -> Boolean): T =
    runBlocking { withTimeoutOrNull(timeoutMs) { first(test) } } ?: throw AssertionError("$what never happened")

/** As [Flow.await], and the failure shows the state it ended in. */
fun <T> StateFlow<T>.await(what: String, timeoutMs: Long = 10_000, test: (T) -> Boolean): T =
    runBlocking { withTimeoutOrNull(timeoutMs) { first(test) } } ?: throw AssertionError("$what never happened; the state is $value")
