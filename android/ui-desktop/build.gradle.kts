// The Compose screens (android/ui/src/commonMain) built for the desktop JVM with Compose for
// Desktop, and their UI tests: the flyout menu, share and invite-external flows, with screenshots.
// android/jvm/run-tests does the same without Gradle for CI.
plugins {
    alias(libs.plugins.kotlin.jvm)
    alias(libs.plugins.kotlin.compose)
    alias(libs.plugins.compose.multiplatform)
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

kotlin { compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) } }

sourceSets {
    main { kotlin.srcDirs("../ui/src/commonMain/kotlin", "../ui/src/desktopMain/kotlin") }
    test { kotlin.srcDirs("../ui/src/desktopTest/kotlin") }
}

dependencies {
    implementation(project(":presenters"))
    implementation(libs.cmp.ui)
    implementation(libs.cmp.foundation)
    implementation(libs.cmp.material3)
    // The Skia runtime for the machine running the tests.
    implementation(compose.desktop.currentOs)
    testImplementation(testFixtures(project(":presenters")))
    testImplementation(libs.cmp.ui.test.junit4)
    testImplementation(libs.junit)
}

tasks.test {
    systemProperty("java.awt.headless", "true")
    systemProperty("tandem.screenshots", layout.buildDirectory.dir("screenshots").get().asFile.apply { mkdirs() }.absolutePath)
}
