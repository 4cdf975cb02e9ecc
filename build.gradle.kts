// The root project only declares the plugins; each module under android/ applies what it needs.
// Declaring Kotlin here puts Kotlin Gradle plugin 2.4.20 on the shared classpath (AGP 9 builds
// Kotlin itself and would otherwise bring an older one).
plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.android.library) apply false
    alias(libs.plugins.kotlin.jvm) apply false
    alias(libs.plugins.kotlin.compose) apply false
    alias(libs.plugins.compose.multiplatform) apply false
}
