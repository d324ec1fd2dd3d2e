package dev.npc.pack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Walks a flake directory that is not in git, in archive order: everything except {@code .git},
 * {@code .direnv/}, {@code result} and {@code result-*} symlinks (nix build output),
 * {@code .npcignore} patterns and the archive being written. Directories are reported too, so
 * empty ones are kept. Each path is stat'ed once, here, and its attributes travel with it.
 *
 * <p>Archive order is the byte order of the whole path, which a walk can produce one directory at
 * a time: a subdirectory {@code a} is reported at key {@code a} but its contents at key
 * {@code a/}, so a sibling {@code a.nix} ('.' sorts before '/') comes between the two, exactly
 * where a sort of all the paths would put it.
 */
final class DirectoryWalk {
    interface Visitor {
        void found(String path, PosixFileAttributes attributes) throws IOException, PackException, InterruptedException;
    }

    /** Narrows the walk (--include); a directory that is not kept is not entered. */
    interface Filter {
        boolean keep(String path, boolean directory);
    }

    private record Item(String key, String path, Path file, PosixFileAttributes attributes, boolean contents) { }

    private static final Comparator<Item> ORDER = Comparator.comparing(Item::key, FlakeFiles.PATH_ORDER);

    private final NpcIgnore ignore;
    private final Set<Path> excluded;
    private final Filter filter;
    private final Visitor visitor;

    private DirectoryWalk(NpcIgnore ignore, Set<Path> excluded, Filter filter, Visitor visitor) {
        this.ignore = ignore;
        this.excluded = excluded;
        this.filter = filter;
        this.visitor = visitor;
    }

    static void walk(Path root, NpcIgnore ignore, Set<Path> excluded, Filter filter, Visitor visitor)
            throws IOException, PackException, InterruptedException {
        new DirectoryWalk(ignore, excluded, filter, visitor).visit(root, "");
    }

    private void visit(Path dir, String prefix) throws IOException, PackException, InterruptedException {
        List<Item> items = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                String rel = prefix.isEmpty() ? name : prefix + "/" + name;
                PosixFileAttributes attrs = Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attrs.isDirectory()) {
                    if (!name.equals(".git") && !name.equals(".direnv") && !ignore.ignores(rel, true)
                            && filter.keep(rel, true)) {
                        items.add(new Item(name, rel, child, attrs, false));
                        items.add(new Item(name + "/", rel, child, attrs, true));
                    }
                } else if (!skipped(child, name, rel, attrs)) {
                    items.add(new Item(name, rel, child, attrs, false));
                }
            }
        }
        items.sort(ORDER);
        for (Item item : items) {
            if (item.contents) {
                visit(item.file, item.path);
            } else {
                visitor.found(item.path, item.attributes);
            }
        }
    }

    private boolean skipped(Path file, String name, String rel, PosixFileAttributes attrs) {
        return name.equals(".git") // a worktree's or submodule's .git file
                || attrs.isSymbolicLink() && (name.equals("result") || name.startsWith("result-"))
                || excluded.contains(file)
                || ignore.ignores(rel, false)
                || !filter.keep(rel, false);
    }
}
