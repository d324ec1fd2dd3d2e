package dev.npc.cli;

import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Unmatched;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs the demo, which lives in its own program (npc-demo) because it needs both npc and
 * npc-daemon, and npc never links the daemon in.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole loop on this machine: no AWS account, no NixOS.",
                "",
                "Starts an S3-compatible server on 127.0.0.1, pushes the example fleet, runs three simulated"
                        + " hosts (npc-daemon in-process; system commands printed, not run), rolls out a new"
                        + " version canary first, then a broken one that the canary rolls back, and prints npc"
                        + " status. Takes well under a minute and leaves nothing running."},
        footerHeading = "%nExample:%n",
        footer = {"  ./npc demo"})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Unmatched
    List<String> demoArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path jar = demoJar();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("the demo program (" + (jar == null ? "npc-demo.jar" : jar)
                    + ") is not here; run it from an npc checkout: ./mvnw -q -DskipTests package && ./npc demo");
        }
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", jar.toString()));
        command.addAll(demoArgs);
        Process process = new ProcessBuilder(command).inheritIO().start();
        try {
            return process.waitFor();
        } finally {
            process.destroy();
        }
    }

    /** npc-demo.jar beside this program: -Dnpc.demo.jar, else the checkout's npc-demo/target. */
    private static Path demoJar() throws URISyntaxException {
        String configured = System.getProperty("npc.demo.jar");
        if (configured != null) {
            return Path.of(configured);
        }
        Path self = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path moduleTarget = self.getParent();
        if (moduleTarget == null || moduleTarget.getParent() == null || moduleTarget.getParent().getParent() == null) {
            return null;
        }
        return moduleTarget.getParent().getParent().resolve("npc-demo/target/npc-demo.jar");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
