// Compiles the Android modules one after another in one JVM, as Gradle's Kotlin daemon does:
// each module is its own K2JVMCompiler run with its own classpath (so module boundaries hold),
// but the compiler is loaded and warmed up once (a fresh kotlinc per module costs ~30 s each).
// Reads a plan: one module per line, "name<TAB>log file<TAB>file with one kotlinc argument per line".
// Stops at the first module that fails; exit status 1 then.
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jetbrains.kotlin.cli.common.ExitCode;
import org.jetbrains.kotlin.cli.jvm.K2JVMCompiler;

public class CompileModules {
    public static void main(String[] args) throws Exception {
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (line.isBlank()) continue;
            String[] parts = line.split("\t");
            List<String> arguments = Files.readAllLines(Path.of(parts[2]));
            long start = System.nanoTime();
            ExitCode code;
            try (PrintStream log = new PrintStream(new FileOutputStream(parts[1]), true, "UTF-8")) {
                code = new K2JVMCompiler().exec(log, arguments.toArray(new String[0]));
            }
            System.out.printf("   %s: %s in %.0f s%n", parts[0], code == ExitCode.OK ? "compiled" : "FAILED", (System.nanoTime() - start) / 1e9);
            if (code != ExitCode.OK) System.exit(1);
        }
    }
}
