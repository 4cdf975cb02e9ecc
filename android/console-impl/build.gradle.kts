// The console api over the Rust core: the only module that touches the generated bindings. It
// builds the core for the Android ABIs with cargo-ndk, generates the Kotlin bindings from the
// built library with the workspace's uniffi-bindgen, and ships JNA (as an aar) and the keep rules
// that R8 needs for both. Needs cargo, rustup's Android targets and cargo-ndk on the PATH, and
// the NDK (android.ndkVersion) installed: see android/BUILDING.md.
import javax.inject.Inject
import org.gradle.process.ExecOperations

plugins { alias(libs.plugins.android.library) }

android {
    namespace = "app.tandem.console.impl"
    compileSdk = libs.versions.compileSdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()
    defaultConfig {
        minSdk = libs.versions.minSdk.get().toInt()
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
        consumerProguardFiles("consumer-rules.pro")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

val workspaceDir = rootProject.layout.projectDirectory
val androidAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64")

/** `cargo ndk` for each ABI into one jniLibs directory (<dir>/<abi>/libtandem_ffi.so). */
abstract class CargoNdk @Inject constructor(private val exec: ExecOperations) : DefaultTask() {
    @get:InputFiles @get:PathSensitive(PathSensitivity.RELATIVE) abstract val rustSources: ConfigurableFileCollection
    @get:Internal abstract val workspace: DirectoryProperty
    @get:Input abstract val abis: ListProperty<String>
    @get:Input abstract val platform: Property<String>
    @get:Input abstract val ndkHome: Property<String>
    @get:OutputDirectory abstract val outputDir: DirectoryProperty

    @TaskAction
    fun build() {
        val out = outputDir.get().asFile.apply { deleteRecursively(); mkdirs() }
        exec.exec {
            workingDir = workspace.get().asFile
            environment("ANDROID_NDK_HOME", ndkHome.get())
            commandLine(
                buildList {
                    addAll(listOf("cargo", "ndk"))
                    abis.get().forEach { addAll(listOf("-t", it)) }
                    addAll(listOf("-P", platform.get(), "-o", out.absolutePath, "build", "--release", "--locked", "-p", "tandem-ffi"))
                },
            )
        }
    }
}

/** The Kotlin bindings, generated from the built library (uniffi library mode), never committed. */
abstract class UniffiBindgen @Inject constructor(private val exec: ExecOperations) : DefaultTask() {
    @get:Internal abstract val workspace: DirectoryProperty
    @get:InputFile @get:PathSensitive(PathSensitivity.NONE) abstract val library: RegularFileProperty
    @get:OutputDirectory abstract val outputDir: DirectoryProperty

    @TaskAction
    fun generate() {
        val out = outputDir.get().asFile.apply { deleteRecursively(); mkdirs() }
        exec.exec {
            workingDir = workspace.get().asFile
            commandLine(
                "cargo", "run", "--quiet", "--locked", "-p", "uniffi-bindgen", "--",
                "generate", library.get().asFile.absolutePath, "--language", "kotlin", "--out-dir", out.absolutePath, "--no-format",
            )
        }
    }
}

val cargoNdk = tasks.register<CargoNdk>("cargoNdk") {
    workspace.set(workspaceDir)
    rustSources.from(
        fileTree(workspaceDir) {
            include("Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "rust-core/**", "bindings/**")
            exclude("**/target/**", "bindings/jvm/**")
        },
    )
    abis.set(androidAbis)
    platform.set(libs.versions.minSdk.get())
    ndkHome.set(androidComponents.sdkComponents.ndkDirectory.map { it.asFile.absolutePath })
    outputDir.set(layout.buildDirectory.dir("generated/rustJniLibs"))
}

val uniffiBindgen = tasks.register<UniffiBindgen>("uniffiBindgen") {
    workspace.set(workspaceDir)
    // The metadata is the same for every ABI; taking one of cargoNdk's outputs carries the dependency.
    library.set(cargoNdk.flatMap { it.outputDir.file("arm64-v8a/libtandem_ffi.so") })
    outputDir.set(layout.buildDirectory.dir("generated/uniffi/kotlin"))
}

androidComponents {
    onVariants { variant ->
        variant.sources.jniLibs?.addGeneratedSourceDirectory(cargoNdk, CargoNdk::outputDir)
        variant.sources.kotlin?.addGeneratedSourceDirectory(uniffiBindgen, UniffiBindgen::outputDir)
    }
}

dependencies {
    api(project(":console-api"))
    implementation(variantOf(libs.jna) { artifactType("aar") })
    implementation(libs.kotlinx.coroutines.android)
    // The Kotlin half of rustls-platform-verifier (from the crate's own Maven repository, see settings).
    implementation(libs.rustls.platform.verifier)
}
