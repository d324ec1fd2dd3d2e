package dev.npc.tests.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private static boolean isProjectFile(Path file) {
        for (Path part : root().relativize(file)) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return false;
            }
        }
        return true;
    }
}
