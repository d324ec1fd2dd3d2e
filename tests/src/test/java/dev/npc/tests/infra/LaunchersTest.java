package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/npc and bin/npc-daemon run java with bin/jvm.options (the flags the Nix package and the
 * module read too, see NixFilesTest), a daemon that keeps running with bin/jvm-resident.options
 * after it, NPC_JAVA_OPTS replaces them, and the real java reads the files as argument files with
 * the meaning nix/args-file.nix gives them.
 */
class LaunchersTest {
    @TempDir
    Path work;

    @Test
    void theCheckoutLaunchersRunJavaWithTheFlagsFile() throws Exception {
        Path checkout = checkoutWithLaunchers();
        Path args = work.resolve("java-args");
        Map<String, String> env = Map.of("PATH", standInJava(args) + ":" + System.getenv("PATH"), "NPC_JAVA_OPTS", "");

        for (String[] launcher : new String[][] {{"npc", "npc-cli"}, {"npc-daemon", "npc-daemon"}}) {
            ProcessResult result = Tools.run(List.of(checkout.resolve("bin/" + launcher[0]).toString(), "--version"), env, work);

            assertTrue(result.ok(), result.toString());
            assertEquals(List.of("@" + checkout.resolve("bin/jvm.options"), "-jar",
                    checkout.resolve(launcher[1] + "/target/" + launcher[1] + ".jar").toString(), "--version"),
                    Files.readAllLines(args), launcher[0]);
        }
    }

    @Test
    void aDaemonThatKeepsRunningAddsTheResidentFlagsFile() throws Exception {
        Path checkout = checkoutWithLaunchers();
        Path args = work.resolve("java-args");
        Map<String, String> env = Map.of("PATH", standInJava(args) + ":" + System.getenv("PATH"), "NPC_JAVA_OPTS", "");
        String jar = checkout.resolve("npc-daemon/target/npc-daemon.jar").toString();
        String flags = "@" + checkout.resolve("bin/jvm.options");
        String resident = "@" + checkout.resolve("bin/jvm-resident.options");

        Map<List<String>, List<String>> javaArgs = Map.of(
                List.of("follow", "--store", "s3://b/p", "--interval", "60s"), List.of(flags, resident),
                List.of("follow", "--once", "--store", "s3://b/p"), List.of(flags),
                List.of("follow", "--store", "s3://b/p", "--once=activate"), List.of(flags),
                List.of("trigger"), List.of(flags));
        for (Map.Entry<List<String>, List<String>> expected : javaArgs.entrySet()) {
            List<String> command = new ArrayList<>(List.of(checkout.resolve("bin/npc-daemon").toString()));
            command.addAll(expected.getKey());
            ProcessResult result = Tools.run(command, env, work);

            assertTrue(result.ok(), result.toString());
            List<String> wanted = new ArrayList<>(expected.getValue());
            wanted.addAll(List.of("-jar", jar));
            wanted.addAll(expected.getKey());
            assertEquals(wanted, Files.readAllLines(args), String.join(" ", expected.getKey()));
        }
    }

    @Test
    void npcJavaOptsReplacesTheFlags() throws Exception {
        Path checkout = checkoutWithLaunchers();
        Path args = work.resolve("java-args");
        Map<String, String> env = Map.of("PATH", standInJava(args) + ":" + System.getenv("PATH"),
                "NPC_JAVA_OPTS", "-Xmx64m -XX:+UseParallelGC");

        ProcessResult result = Tools.run(List.of(checkout.resolve("bin/npc-daemon").toString(), "status"), env, work);

        assertTrue(result.ok(), result.toString());
        assertEquals(List.of("-Xmx64m", "-XX:+UseParallelGC", "-jar",
                checkout.resolve("npc-daemon/target/npc-daemon.jar").toString(), "status"), Files.readAllLines(args));
    }

    @Test
    void theRealJavaReadsTheFlagsFilesAsTheNixExpressionDoes() {
        List<String> flags = new ArrayList<>(ArgumentFile.read(Checkout.file("bin/jvm.options")));
        assertTrue(flags.contains("-XX:+UseSerialGC"), flags.toString());
        List<String> resident = ArgumentFile.read(Checkout.file("bin/jvm-resident.options"));
        assertTrue(resident.contains("-XX:CompileThresholdScaling=0.05"), resident.toString());
        flags.addAll(resident);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        ProcessResult result = Tools.run(List.of(java, "@" + Checkout.file("bin/jvm.options"),
                "@" + Checkout.file("bin/jvm-resident.options"), "-XX:+PrintCommandLineFlags", "-version"), Map.of(), work);

        assertTrue(result.ok(), result.toString());
        List<String> printed = List.of(result.stdout().text().lines().findFirst().orElse("").split(" "));
        for (String flag : flags) {
            if (flag.startsWith("-XX:")) {
                // The JVM prints sizes in bytes and numbers its own way: a flag with a value is
                // matched by its name.
                String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=') + 1) : flag;
                assertTrue(printed.stream().anyMatch(p -> p.equals(flag) || name.endsWith("=") && p.startsWith(name)),
                        flag + " did not reach the JVM: " + printed);
            }
        }
    }

    /** The launchers and the flags file in a directory laid out like a checkout, with empty jars. */
    private Path checkoutWithLaunchers() throws Exception {
        Path checkout = work.resolve("checkout");
        for (String file : List.of("bin/npc", "bin/npc-daemon", "bin/jvm.options", "bin/jvm-resident.options",
                "bin/keeps-running.sh")) {
            Path copy = checkout.resolve(file);
            Files.createDirectories(copy.getParent());
            Files.copy(Checkout.file(file), copy);
        }
        for (String module : List.of("npc-cli", "npc-daemon")) {
            Path jar = checkout.resolve(module + "/target/" + module + ".jar");
            Files.createDirectories(jar.getParent());
            Files.createFile(jar);
        }
        return checkout;
    }

    /** A `java` that writes its arguments, one per line, to {@code record}. */
    private Path standInJava(Path record) throws Exception {
        Path bin = Files.createDirectories(work.resolve("stand-in-bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + record + "\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }
}
