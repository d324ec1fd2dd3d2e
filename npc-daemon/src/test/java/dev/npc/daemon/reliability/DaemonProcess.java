package dev.npc.daemon.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * npc-daemon in its own JVM, started as systemd would start it, so a test can kill it with
 * SIGKILL. The class path is the test's own (it holds npc-daemon's classes and every runtime
 * dependency), so this works in a fresh clone without a packaged jar.
 */
final class DaemonProcess {
    private final Process process;
    private final Path output;

    private DaemonProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static DaemonProcess start(List<String> args, Map<String, String> env, Path output) throws IOException {
        return start("dev.npc.daemon.NpcDaemon", args, env, output);
    }

    /** @param mainClass npc-daemon's main, or a test's wrapper of it (same class path) */
    static DaemonProcess start(String mainClass, List<String> args, Map<String, String> env, Path output)
            throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", classPath, mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("NPC_"));
        builder.environment().putAll(env);
        return new DaemonProcess(builder.start(), output);
    }

    /** SIGKILL: no shutdown hook, no finally block, nothing flushed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the daemon did not die");
        }
    }

    int waitFor(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("npc-daemon did not finish in " + seconds + " s:\n" + output());
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    String output() throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }
}
