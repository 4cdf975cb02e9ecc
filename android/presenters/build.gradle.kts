// All of the app's behaviour (sign-in, home, session, flyout menu and its flows, screen, shell),
// plain Kotlin/JVM, tested on the JVM with fakes (test fixtures shared with the UI tests).
plugins {
    alias(libs.plugins.kotlin.jvm)
    `java-test-fixtures`
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

kotlin { compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) } }

dependencies {
    api(project(":console-api"))
    testImplementation(libs.junit)
    testFixturesImplementation(project(":console-api"))
}
