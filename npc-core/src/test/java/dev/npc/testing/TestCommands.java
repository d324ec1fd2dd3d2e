package dev.npc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs real tools (git, tar, zstd, mkfifo) that tests use to set up or cross-check. Tests
 * needing one call {@link #available} in an assumption, so machines without it skip cleanly.
 */
public final class TestCommands {
    /** Fixed identity and dates, so commits work on CI machines without a git config. */
    private static final List<String> GIT_PREFIX = List.of("git", "-c", "user.name=npc test",
            "-c", "user.email=test@npc.invalid", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false");

    private TestCommands() { }

    public static boolean available(String program) {
        try {
            Process p = new ProcessBuilder(program, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs git in {@code dir}; fails the test with git's output when git fails. */
    public static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(GIT_PREFIX);
        command.addAll(List.of(args));
        return run(dir, command);
    }

    /** Runs a command in {@code dir} through {@code sh -c}; fails the test when it fails. */
    public static String sh(Path dir, String script) {
        return run(dir, List.of("sh", "-c", script));
    }

    public static String run(Path dir, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            Process p = builder.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed in " + dir + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
