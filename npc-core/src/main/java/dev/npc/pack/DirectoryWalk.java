package dev.npc.pack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lists a flake directory that is not in git: everything except {@code .git}, {@code .direnv/},
 * {@code result} and {@code result-*} symlinks (nix build output), {@code .npcignore} patterns
 * and the archive being written. Directories are listed too, so empty ones are kept. Each path is
 * stat'ed once, here, and its attributes travel with it. The order of the result is unspecified.
 */
final class DirectoryWalk {
    /** A path relative to the walked root and its attributes (not following links). */
    record Found(String path, PosixFileAttributes attributes) { }

    private final NpcIgnore ignore;
    private final Set<Path> excluded;
    private final List<Found> found = new ArrayList<>();

    private DirectoryWalk(NpcIgnore ignore, Set<Path> excluded) {
        this.ignore = ignore;
        this.excluded = excluded;
    }

    static List<Found> list(Path root, NpcIgnore ignore, Set<Path> excluded) throws IOException {
        DirectoryWalk walk = new DirectoryWalk(ignore, excluded);
        walk.visit(root, "");
        return walk.found;
    }

    private void visit(Path dir, String prefix) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                String rel = prefix.isEmpty() ? name : prefix + "/" + name;
                PosixFileAttributes attrs = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory()) {
                    if (!name.equals(".git") && !name.equals(".direnv") && !ignore.ignores(rel, true)) {
                        found.add(new Found(rel, attrs));
                        visit(child, rel);
                    }
                } else if (!skipped(child, name, rel, attrs)) {
                    found.add(new Found(rel, attrs));
                }
            }
        }
    }

    private boolean skipped(Path file, String name, String rel, PosixFileAttributes attrs) {
        return name.equals(".git") // a worktree's or submodule's .git file
                || attrs.isSymbolicLink() && (name.equals("result") || name.startsWith("result-"))
                || excluded.contains(file)
                || ignore.ignores(rel, false);
    }
}
