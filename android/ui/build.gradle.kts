// The Compose screens, built for Android from src/commonMain and src/androidMain. The same
// commonMain sources are built for the desktop JVM by :ui-desktop, whose Compose UI tests run
// them (androidx.compose packages are the same on both).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.tandem.ui"
    compileSdk = libs.versions.compileSdk.get().toInt()
    defaultConfig { minSdk = libs.versions.minSdk.get().toInt() }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets.named("main") {
        kotlin.directories += listOf("src/commonMain/kotlin", "src/androidMain/kotlin")
    }
}

dependencies {
    api(project(":presenters"))
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.foundation)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.activity.compose)
    debugImplementation(libs.androidx.compose.ui.tooling)
}
