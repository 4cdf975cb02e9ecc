// The Android app and its Kotlin modules (all under android/); the Rust workspace is this same
// directory, which the console-impl module builds with cargo-ndk.
pluginManagement {
    repositories {
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode = RepositoriesMode.FAIL_ON_PROJECT_REPOS
    repositories {
        google()
        mavenCentral()
        // rustls-platform-verifier's Android part ships inside its crate as a local Maven
        // repository (it is not on Maven Central); cargo metadata says where the crate is.
        maven {
            name = "rustlsPlatformVerifier"
            url = uri(
                providers.exec {
                    workingDir = settingsDir
                    commandLine(
                        "cargo", "metadata", "--format-version", "1", "--locked",
                        "--filter-platform", "aarch64-linux-android", "--manifest-path", "bindings/Cargo.toml",
                    )
                }.standardOutput.asText.map { json ->
                    @Suppress("UNCHECKED_CAST")
                    val packages = (groovy.json.JsonSlurper().parseText(json) as Map<String, Any?>)["packages"] as List<Map<String, Any?>>
                    val manifest = packages.first { it["name"] == "rustls-platform-verifier-android" }["manifest_path"] as String
                    File(File(manifest).parentFile, "maven").toURI().toString()
                }.get(),
            )
            metadataSources { artifact() }
            content { includeGroup("rustls") }
        }
    }
}

rootProject.name = "tandem"

// api: interfaces and models; impl: the only module that touches the generated bindings;
// presenters: all behaviour, plain JVM; ui: the Compose screens for Android, and ui-desktop the
// same sources for the desktop JVM (its UI tests); app: the thin Android shell.
val modules = mapOf(
    ":console-api" to "android/console-api",
    ":console-impl" to "android/console-impl",
    ":presenters" to "android/presenters",
    ":ui" to "android/ui",
    ":ui-desktop" to "android/ui-desktop",
    ":app" to "android/app",
)
modules.forEach { (name, dir) ->
    include(name)
    project(name).projectDir = file(dir)
}
