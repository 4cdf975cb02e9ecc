package app.tandem.jvmtests

import kotlin.system.exitProcess
import org.junit.runner.Description
import org.junit.runner.JUnitCore
import org.junit.runner.notification.RunListener

/** Runs the Android modules' JVM tests named on the command line; closes with `android-jvm: N passed, N failed`. */
fun main(args: Array<String>) {
    val core = JUnitCore()
    core.addListener(object : RunListener() {
        override fun testStarted(description: Description) = println("test ${description.className.substringAfterLast('.')}.${description.methodName} ...")
    })
    val result = core.run(*args.map { Class.forName(it) }.toTypedArray())
    for (failure in result.failures) {
        println("FAILED ${failure.testHeader}: ${failure.message}")
        println(failure.trace)
    }
    println("android-jvm: ${result.runCount - result.failureCount} passed, ${result.failureCount} failed")
    exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
}
