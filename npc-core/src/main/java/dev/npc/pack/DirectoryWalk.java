package dev.npc.pack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
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
        /** @param directory the open parent to read the file through, or null to use its path */
        void found(String path, PosixFileAttributes attributes, OpenDirectory directory)
                throws IOException, PackException, InterruptedException;
    }

    /** Narrows the walk (--include); a directory that is not kept is not entered. */
    interface Filter {
        boolean keep(String path, boolean directory);
    }

    private record Item(String key, String path, Path file, PosixFileAttributes attributes, boolean contents) { }

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

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
        new DirectoryWalk(ignore, excluded, filter, visitor).visit(root, "", Files.newDirectoryStream(root));
    }

    /** Lists {@code dir} (whose stream is handed over and closed here) and reports it in archive order. */
    private void visit(Path dir, String prefix, DirectoryStream<Path> listing)
            throws IOException, PackException, InterruptedException {
        // Linux gives a SecureDirectoryStream: stat and open relative to it; elsewhere use full paths
        OpenDirectory open = listing instanceof SecureDirectoryStream<Path> secure ? new OpenDirectory(secure) : null;
        List<Item> items = new ArrayList<>();
        try {
            for (Path child : listing) {
                Path name = child.getFileName();
                String nameText = name.toString();
                String rel = prefix.isEmpty() ? nameText : prefix + "/" + nameText;
                PosixFileAttributes attrs = open != null ? open.attributes(name)
                        : Files.readAttributes(child, PosixFileAttributes.class, NOFOLLOW);
                if (attrs.isDirectory()) {
                    if (!nameText.equals(".git") && !nameText.equals(".direnv") && !ignore.ignores(rel, true)
                            && filter.keep(rel, true)) {
                        items.add(new Item(nameText, rel, child, attrs, false));
                        items.add(new Item(nameText + "/", rel, child, attrs, true));
                    }
                } else if (!skipped(child, nameText, rel, attrs)) {
                    items.add(new Item(nameText, rel, child, attrs, false));
                }
            }
            items.sort(ORDER);
            for (Item item : items) {
                if (item.contents) {
                    DirectoryStream<Path> sub = open != null
                            ? open.stream().newDirectoryStream(item.file.getFileName(), NOFOLLOW)
                            : Files.newDirectoryStream(item.file);
                    visit(item.file, item.path, sub);
                } else {
                    visitor.found(item.path, item.attributes, open);
                }
            }
        } finally {
            if (open != null) {
                open.release();
            } else {
                listing.close();
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
