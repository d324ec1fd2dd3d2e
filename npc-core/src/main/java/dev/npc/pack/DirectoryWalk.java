package dev.npc.pack;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lists a flake directory that is not in git: everything except {@code .git}, {@code .direnv/},
 * {@code result} and {@code result-*} symlinks (nix build output), {@code .npcignore} patterns
 * and the archive being written. Directories are listed too, so empty ones are kept.
 */
final class DirectoryWalk {
    private DirectoryWalk() { }

    static List<String> list(Path root, NpcIgnore ignore, Set<Path> excluded) throws IOException {
        List<String> paths = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(root)) {
                    return FileVisitResult.CONTINUE;
                }
                String rel = relative(root, dir);
                String name = dir.getFileName().toString();
                if (name.equals(".git") || name.equals(".direnv") || ignore.ignores(rel, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                paths.add(rel);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(root, file);
                String name = file.getFileName().toString();
                boolean skip = excluded.contains(file)
                        || name.equals(".git") // a worktree's or submodule's .git file
                        || attrs.isSymbolicLink() && (name.equals("result") || name.startsWith("result-"))
                        || ignore.ignores(rel, false);
                if (!skip) {
                    paths.add(rel);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return paths;
    }

    static String relative(Path root, Path path) {
        return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
    }
}
