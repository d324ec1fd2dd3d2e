package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.SystemProcessRunner;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real checkers these tests run (node, nix, shellcheck, bash, curl). A missing tool skips the
 * test with the install line that brings it; CI installs all of them.
 */
final class Tools {
    static final String INSTALL_HINT = "CI installs it: apt-get install -y nix-bin shellcheck curl cloud-init openssl busybox; npm ci --prefix tools";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ProcessRunner PROCESSES = new SystemProcessRunner();

    private Tools() { }

    /** The tool's path on PATH; skips the calling test when it is not installed. */
    static Path require(String name) {
        return find(name).orElseGet(() -> {
            Assumptions.abort(name + " is not installed; " + INSTALL_HINT);
            throw new AssertionError("unreachable");
        });
    }

    static Optional<Path> find(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The HCL parser's entry point; skips when `npm ci --prefix tools` has not run. */
    static Path requireHcl2json() {
        require("node");
        Path parser = Checkout.file("tools/node_modules/@cdktf/hcl2json/package.json");
        Assumptions.assumeTrue(Files.isRegularFile(parser),
                "@cdktf/hcl2json is not installed; run npm ci --prefix tools");
        return Checkout.file("tools/hcl2json.js");
    }

    static ProcessResult run(List<String> command, Map<String, String> env, Path workDir) {
        try {
            ProcessResult result = PROCESSES.run(command, env, workDir, TIMEOUT);
            if (result.timedOut()) {
                throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT
                        + ":\n" + result);
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command.get(0), e);
        }
    }

    /** Runs and fails the test, with the tool's output, unless it exits 0; returns its stdout. */
    static String runOk(List<String> command, Map<String, String> env, Path workDir) {
        ProcessResult result = run(command, env, workDir);
        if (!result.ok()) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode() + ":\n"
                    + result);
        }
        return result.stdout().text();
    }
}
