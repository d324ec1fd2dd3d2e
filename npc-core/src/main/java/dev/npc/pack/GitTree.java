package dev.npc.pack;

import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What git knows about a flake directory inside a work tree: the tracked files (what Nix copies
 * for a git flake) and the commit. Every call goes through the {@link ProcessRunner} seam.
 */
final class GitTree {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final ProcessRunner processes;
    private final Path dir;

    private GitTree(ProcessRunner processes, Path dir) {
        this.processes = processes;
        this.dir = dir;
    }

    /**
     * The git tree holding {@code dir}, or null when no {@code .git} is found above it. The
     * decision is made on disk, not by asking git, so a git that fails (not installed, "dubious
     * ownership") cannot make npc pack untracked files as if the directory were not in git.
     */
    static GitTree find(ProcessRunner processes, Path dir) {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (isGitMarker(p.resolve(".git"))) {
                return new GitTree(processes, dir);
            }
        }
        return null;
    }

    /** A repository directory (it has HEAD) or a worktree/submodule link file ("gitdir: ..."). */
    private static boolean isGitMarker(Path dotGit) {
        if (Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            return Files.exists(dotGit.resolve("HEAD"));
        }
        if (Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
            try (var reader = Files.newBufferedReader(dotGit)) {
                String first = reader.readLine();
                return first != null && first.startsWith("gitdir:");
            } catch (IOException e) {
                return true; // unreadable: assume git, whose own error will then say what is wrong
            }
        }
        return false;
    }

    /** Tracked paths under the directory, relative to it, '/'-separated. */
    List<String> trackedFiles() throws IOException, PackException {
        String out = git("ls-files", "-z");
        List<String> files = new ArrayList<>();
        for (String path : out.split("\0")) {
            if (!path.isEmpty()) {
                files.add(path);
            }
        }
        return files;
    }

    /** HEAD's commit, with {@code -dirty} when tracked files under the directory differ from it; null before the first commit. */
    String sourceRev() throws IOException, PackException {
        ProcessResult head = run("rev-parse", "--verify", "-q", "HEAD");
        if (!head.ok()) {
            return null;
        }
        String rev = head.stdout().text().strip();
        String status = git("status", "--porcelain", "-z", "--untracked-files=no", "--", ".");
        return status.isEmpty() ? rev : rev + "-dirty";
    }

    /** What git answered on stdout; its warnings and hints (stderr) are not part of the answer. */
    private String git(String... args) throws IOException, PackException {
        ProcessResult result = run(args);
        if (!result.ok()) {
            String why = result.timedOut() ? "timed out" : gitError(result.stderr().text());
            throw new PackException(dir + " is inside a git work tree but `git " + args[0] + "` failed: " + why
                    + "; fix git access (e.g. git config --global --add safe.directory) and retry");
        }
        if (result.stdout().truncated()) {
            // A truncated file list must not be packed.
            throw new PackException("`git " + args[0] + "` in " + dir + " printed more than npc can read;"
                    + " pack a smaller directory or use --include");
        }
        return result.stdout().text();
    }

    private ProcessResult run(String... args) throws IOException, PackException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.quotepath=off"));
        command.addAll(List.of(args));
        try {
            return processes.run(command, Map.of("GIT_OPTIONAL_LOCKS", "0"), dir, TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running git in " + dir);
        } catch (IOException e) {
            throw new PackException(dir + " is inside a git work tree but git could not be run ("
                    + e.getMessage() + "); install git, which decides the files Nix would copy");
        }
    }

    /** git's own error line ("fatal: ..." or "error: ..."), not a warning or hint printed before it. */
    private static String gitError(String stderr) {
        List<String> lines = stderr.strip().lines().toList();
        return lines.stream().filter(l -> l.startsWith("fatal:") || l.startsWith("error:")).findFirst()
                .orElse(lines.isEmpty() || lines.get(0).isEmpty() ? "no output" : lines.get(0));
    }
}
