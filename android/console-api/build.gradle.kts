// Interfaces and models of the console: what screens and presenters see. Plain Kotlin/JVM.
plugins { alias(libs.plugins.kotlin.jvm) }

kotlin { jvmToolchain(17) }

dependencies {
    api(libs.kotlinx.coroutines.core)
}
