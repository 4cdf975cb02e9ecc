package tandem

import kotlin.system.exitProcess
import org.junit.runner.JUnitCore
import org.junit.runner.notification.RunListener
import org.junit.runner.Description

/** Runs the JVM tests and closes with one line CI reads: `jvm: N passed, N failed`. */
fun main() {
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        override fun testStarted(description: Description) = println("test ${description.methodName} ...")
    })
    val result = core.run(ConsoleJourneysTest::class.java, StreamsTest::class.java)
    for (failure in result.failures) {
        println("FAILED ${failure.testHeader}: ${failure.message}")
        println(failure.trace)
    }
    val passed = result.runCount - result.failureCount
    println("jvm: $passed passed, ${result.failureCount} failed")
    exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
}
