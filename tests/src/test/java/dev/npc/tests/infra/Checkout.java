package dev.npc.tests.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The repository under test: its root and the files of one kind in it. */
final class Checkout {
    /** Build output, installed packages and VCS data are not the project's own files. */
    private static final Set<String> SKIPPED_DIRS = Set.of("target", "node_modules", ".git", ".terraform", ".npc");

    private Checkout() { }

    /** The root, from the system property tests/pom.xml sets (or found upwards from here). */
    static Path root() {
        String configured = System.getProperty("npc.repo.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("flake.nix"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root; run the tests through Maven, "
                    + "which sets -Dnpc.repo.root");
        }
        return dir;
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    /** Every project file (no build output, installed tools or VCS data). */
    static List<Path> projectFiles() {
        try (Stream<Path> walk = Files.walk(root())) {
            return walk.filter(Files::isRegularFile).filter(Checkout::isProjectFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files git tracks (what a clone has), without deleted ones; outside git (or without git),
     * every project file.
     */
    static List<Path> trackedFiles() {
        Path root = root();
        if (Files.exists(root.resolve(".git"))) {
            try {
                Process git = new ProcessBuilder("git", "ls-files", "-z").directory(root.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String names = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (git.waitFor() == 0) {
                    return Stream.of(names.split("\0")).filter(name -> !name.isEmpty()).map(root::resolve)
                            .filter(Files::isRegularFile).sorted().toList();
                }
            } catch (IOException e) {
                // no git on the PATH: fall through to the walk
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while listing the tracked files", e);
            }
        }
        return projectFiles();
    }

    /** Every file under {@code dir} (relative to the root) whose name ends with {@code suffix}. */
    static List<Path> filesEndingWith(String dir, String suffix) {
        try (Stream<Path> walk = Files.walk(root().resolve(dir))) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(Checkout::isProjectFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies the project's files (what {@code npc push --src .} packs from a checkout outside git,
     * and what a flake reference to the checkout needs) to {@code target}: everything but build
     * output, installed tools, VCS data and result links. Returns {@code target}.
     */
    static Path copyTo(Path target) {
        Path root = root();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path source : walk.filter(Checkout::isProjectFile).toList()) {
                Path copy = target.resolve(root.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(copy);
                } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)
                        && !source.getFileName().toString().startsWith("result")) {
                    Files.createDirectories(copy.getParent());
                    Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isProjectFile(Path file) {
        for (Path part : root().relativize(file)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return false;
            }
        }
        return true;
    }
}
