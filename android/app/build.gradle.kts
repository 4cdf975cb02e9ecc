// The Android app: a thin shell (activity, foreground service, notifications, App Links) around
// the screens (:ui) and the console over the Rust core (:console-impl).
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.tandem"
    compileSdk = libs.versions.compileSdk.get().toInt()
    defaultConfig {
        applicationId = "app.tandem"
        minSdk = libs.versions.minSdk.get().toInt()
        // 36, not 37: 37 turns on local-network protection, which would need a new runtime
        // permission before the app could reach an appliance on the LAN.
        targetSdk = libs.versions.targetSdk.get().toInt()
        versionCode = 1
        versionName = "0.1.0"
        manifestPlaceholders["applianceHost"] = providers.gradleProperty("tandem.applianceHost").get()
        // Only the ABIs :console-impl builds the Rust library for: a library module's filter does
        // not limit what the app packages (JNA alone ships eight ABIs, which would install on
        // devices where libtandem_ffi.so is missing and fail at start).
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // The Robolectric tests (src/test) read the merged manifest and the linked resources.
    testOptions { unitTests.isIncludeAndroidResources = true }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
}

dependencies {
    implementation(project(":ui"))
    implementation(project(":console-impl"))
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.activity.compose)
    implementation(libs.androidx.core)
    implementation(libs.kotlinx.coroutines.android)
    // The shell under Robolectric (the real framework) with the host-built Rust library and a real
    // appliance. JNA's plain jar carries the host's native dispatch library, which the aar lacks.
    testImplementation(libs.junit)
    testImplementation(libs.robolectric)
    testImplementation(libs.androidx.test.core)
    testImplementation(libs.androidx.compose.ui.test.junit4)
    testImplementation(libs.jna)
}
