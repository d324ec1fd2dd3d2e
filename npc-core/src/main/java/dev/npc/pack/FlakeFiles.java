package dev.npc.pack;

import dev.npc.process.ProcessRunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Chooses the files a flake needs (docs/format.md, "The pack format") and turns them into sorted,
 * normalised archive entries, refusing anything a host could not use.
 */
final class FlakeFiles {
    static final String FLAKE_NIX = "flake.nix";
    static final String FLAKE_LOCK = "flake.lock";

    /**
     * Byte order of the UTF-8 path. UTF-8 byte order is code point order, which differs from
     * {@link String#compareTo} only where surrogates meet U+E000..U+FFFF; comparing chars with that
     * fixed up avoids encoding every path on every comparison.
     */
    static final Comparator<String> PATH_ORDER = FlakeFiles::compareCodePoints;

    /**
     * @param entries   directories, files and symlinks in archive order; close it when done
     * @param sourceRev the git commit, or null outside git
     */
    record Selection(EntrySource entries, String sourceRev) { }

    private FlakeFiles() { }

    /**
     * Checks the flake and starts listing its files. Problems with the flake as a whole are
     * reported here; a problem with one file (a refused symlink, a special file) is reported by
     * {@link EntrySource#next()} when the listing reaches it.
     *
     * @param root     the flake directory, as a real path
     * @param excluded files never to pack (the archive being written, when it lies inside root)
     */
    static Selection select(ProcessRunner processes, Path root, PackOptions options, Set<Path> excluded)
            throws IOException, PackException {
        requireFile(root, FLAKE_NIX, "create it, or point at the directory that holds your flake");
        boolean locked = Files.isRegularFile(root.resolve(FLAKE_LOCK));
        if (!locked && !options.allowUnlocked()) {
            throw new PackException("no flake.lock in " + root + "; run `nix flake lock` (hosts must build the"
                    + " same pinned inputs) or pass --allow-unlocked");
        }
        if (locked) {
            FlakeLockCheck.check(Files.readAllBytes(root.resolve(FLAKE_LOCK)));
        }
        List<String> includes = includes(root, options.includes());

        GitTree git = options.plainTree() ? null : GitTree.find(processes, root);
        if (git == null) {
            Path ignoreFile = root.resolve(NpcIgnore.FILE_NAME);
            NpcIgnore ignore = Files.isRegularFile(ignoreFile)
                    ? NpcIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8))
                    : NpcIgnore.none();
            for (String name : locked ? List.of(FLAKE_NIX, FLAKE_LOCK) : List.of(FLAKE_NIX)) {
                if (ignore.ignores(name, false)) {
                    throw new PackException(name + " matches a pattern in " + NpcIgnore.FILE_NAME
                            + ", but hosts need it; remove that pattern");
                }
            }
            DirectoryWalk.Filter filter = (path, directory) -> included(path, includes)
                    || directory && includes.stream().anyMatch(dir -> dir.startsWith(path + "/"));
            return new Selection(new BackgroundWalk(sink -> DirectoryWalk.walk(root, ignore, excluded, filter,
                    (path, attrs, dir) -> sink.accept(scan(root, path, attrs, false).readThrough(dir)))), null);
        }

        List<String> tracked = git.trackedFiles();
        requireTracked(tracked, FLAKE_NIX);
        if (locked) {
            requireTracked(tracked, FLAKE_LOCK);
        }
        String sourceRev = git.sourceRev();
        List<PackEntry> entries = new ArrayList<>(tracked.size());
        Set<String> names = new HashSet<>(tracked.size() * 2);
        for (String path : tracked) {
            if (!included(path, includes) || names.contains(path)) {
                continue; // git lists a conflicted path once per stage
            }
            PackEntry entry = scan(root, path, null, true);
            if (entry != null) {
                names.add(path);
                entries.add(entry);
            }
        }
        // git lists no directories: each kept file brings its parents
        for (int i = 0, n = entries.size(); i < n; i++) {
            String path = entries.get(i).name();
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String parent = path.substring(0, slash);
                if (names.add(parent)) {
                    entries.add(PackEntry.directory(parent));
                }
            }
        }
        entries.sort(Comparator.comparing(PackEntry::name, PATH_ORDER));
        return new Selection(listSource(entries), sourceRev);
    }

    private static EntrySource listSource(List<PackEntry> entries) {
        Iterator<PackEntry> it = entries.iterator();
        return new EntrySource() {
            @Override
            public PackEntry next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
                // nothing runs in the background
            }
        };
    }

    /** One candidate as an entry; null when it is to be skipped (deleted tracked file, submodule). */
    private static PackEntry scan(Path root, String path, PosixFileAttributes known, boolean fromGit)
            throws IOException, PackException {
        Path file = root.resolve(path);
        PosixFileAttributes attrs = known;
        if (attrs == null) {
            try {
                attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null; // tracked but deleted in the work tree: Nix does not copy it either
            }
        }
        if (attrs.isRegularFile()) {
            boolean exec = attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            return new PackEntry(path, file, PackEntry.Kind.FILE, attrs.size(), exec, null, null, null);
        }
        if (attrs.isDirectory()) {
            return fromGit ? null : PackEntry.directory(path); // from git: a submodule, which Nix leaves out
        }
        if (attrs.isSymbolicLink()) {
            String target = Files.readSymbolicLink(file).toString();
            String problem = LinkTargets.problem(path, target);
            if (problem != null) {
                throw new PackException("symlink " + path + " points to " + target + ", which " + problem
                        + "; make it a relative link inside the flake directory, or replace it with the file");
            }
            return new PackEntry(path, file, PackEntry.Kind.SYMLINK, 0, false, target, null, null);
        }
        throw new PackException(path + " is a special file (fifo, socket or device), which cannot be packed;"
                + " remove it" + (fromGit ? "" : " or list it in " + NpcIgnore.FILE_NAME));
    }

    private static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    }

    /** Moves surrogates (which encode code points above U+FFFF) after every other UTF-16 unit. */
    private static int codePointRank(char c) {
        return Character.isSurrogate(c) ? c + 0x10000 : c;
    }

    private static void requireFile(Path root, String name, String fix) throws PackException {
        if (!Files.isRegularFile(root.resolve(name))) {
            throw new PackException("no " + name + " in " + root + "; " + fix);
        }
    }

    private static void requireTracked(List<String> tracked, String name) throws PackException {
        if (!tracked.contains(name)) {
            throw new PackException(name + " is not tracked by git, so Nix would not see it; run `git add "
                    + name + "`");
        }
    }

    /** Normalised --include directories ("modules/" -> "modules"); each must be a directory inside root. */
    private static List<String> includes(Path root, List<String> requested) throws PackException {
        List<String> result = new ArrayList<>();
        for (String raw : requested) {
            String dir = raw;
            while (dir.startsWith("./")) {
                dir = dir.substring(2);
            }
            while (dir.endsWith("/")) {
                dir = dir.substring(0, dir.length() - 1);
            }
            boolean inside = !dir.isEmpty() && !dir.startsWith("/")
                    && Arrays.stream(dir.split("/")).noneMatch(p -> p.equals("..") || p.equals("."));
            if (!inside) {
                throw new PackException("--include " + raw + " is not a directory path inside the flake directory;"
                        + " name one relative to " + root);
            }
            if (!Files.isDirectory(root.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
                throw new PackException("--include " + raw + ": no such directory in " + root
                        + "; check the name (it is relative to the flake directory)");
            }
            result.add(dir);
        }
        return result;
    }

    private static boolean included(String path, List<String> includes) {
        if (includes.isEmpty() || path.equals(FLAKE_NIX) || path.equals(FLAKE_LOCK)) {
            return true;
        }
        for (String dir : includes) {
            if (path.equals(dir) || path.startsWith(dir + "/")) {
                return true;
            }
        }
        return false;
    }
}
