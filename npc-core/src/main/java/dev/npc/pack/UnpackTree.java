package dev.npc.pack;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The tree being unpacked, entry by entry. It remembers what every path it made is, so an entry
 * is checked against the archive's own earlier entries rather than against whatever the
 * filesystem would follow: a name through a symlink or a file, or a second entry for the same
 * name, is refused before anything is touched.
 */
final class UnpackTree {
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> EXEC_MODE = DIR_MODE;
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private enum Kind { DIRECTORY, FILE, SYMLINK }

    /** Longer names are cut in messages: a name may be 64 KiB long. */
    private static final int QUOTED_NAME_CHARS = 200;

    private final Path root;
    private final UnpackLimits limits;
    private final java.util.function.LongSupplier metadataBytes;
    private final Map<String, Kind> made = new HashMap<>();
    /** Directories that had their own entry, as opposed to being made as some entry's parent. */
    private final Set<String> declaredDirectories = new HashSet<>();
    private long bytes;
    private int entries;
    private int files;

    /** @param metadataBytes bytes of long names and PAX records read so far, which count toward the size limit */
    UnpackTree(Path root, UnpackLimits limits, java.util.function.LongSupplier metadataBytes) {
        this.root = root;
        this.limits = limits;
        this.metadataBytes = metadataBytes;
    }

    /** An archive's name as messages show it: shortened, and no terminal control from the archive. */
    static String quote(String raw) {
        String cut = raw.length() > QUOTED_NAME_CHARS ? raw.substring(0, QUOTED_NAME_CHARS) + "..." : raw;
        return dev.npc.text.SafeText.line(cut);
    }

    int files() {
        return files;
    }

    void add(TarArchiveEntry entry, InputStream data, byte[] buffer) throws IOException, PackException {
        if (++entries > limits.maxEntries()) {
            throw new PackException("the archive has more than " + limits.maxEntries()
                    + " entries, over the unpack limit; refusing it");
        }
        String raw = entry.getName();
        Kind kind = kindOf(entry);
        String name = normalise(raw);
        if (name.isEmpty()) {
            if (kind == Kind.DIRECTORY) {
                return; // "./": the destination itself
            }
            throw new PackException("archive entry '" + quote(raw) + "' has no name; refusing the archive");
        }
        Path path = makeParents(name);
        Kind existing = made.get(name);
        if (existing != null) {
            if (kind == Kind.DIRECTORY && existing == Kind.DIRECTORY && declaredDirectories.add(name)) {
                return; // made earlier as a parent; its own entry changes nothing
            }
            throw new PackException("archive entry '" + quote(raw) + "' appears twice; refusing the archive");
        }
        try {
            switch (kind) {
                case DIRECTORY -> {
                    Files.createDirectory(path);
                    Files.setPosixFilePermissions(path, DIR_MODE);
                    declaredDirectories.add(name);
                }
                case SYMLINK -> {
                    String target = entry.getLinkName();
                    String problem = LinkTargets.problem(name, target);
                    if (problem != null) {
                        throw new PackException("archive symlink '" + quote(raw) + "' points to '" + quote(target)
                                + "', which " + problem + "; refusing the archive");
                    }
                    Files.createSymbolicLink(path, Path.of(target));
                    files++;
                }
                default -> {
                    write(name, path, data, buffer);
                    Files.setPosixFilePermissions(path, (entry.getMode() & 0100) != 0 ? EXEC_MODE : FILE_MODE);
                    files++;
                }
            }
        } catch (FileSystemException e) {
            throw new PackException("archive entry '" + quote(raw) + "' cannot be created here ("
                    + e.getReason() + "); refusing the archive");
        }
        made.put(name, kind);
    }

    private void write(String name, Path path, InputStream data, byte[] buffer) throws IOException, PackException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
             OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
            while (true) {
                int n;
                try {
                    n = data.read(buffer);
                } catch (IOException e) {
                    throw Unpacker.refusal(e, name);
                }
                if (n < 0) {
                    break;
                }
                bytes += n;
                if (bytes + metadataBytes.getAsLong() > limits.maxTotalBytes()) {
                    throw new PackException("the archive expands to more than " + limits.maxTotalBytes()
                            + " bytes, over the unpack limit; refusing it");
                }
                out.write(buffer, 0, n);
            }
            // On disk before the tree is renamed into place: after a power cut a host must not
            // find a complete-looking flake directory with empty files and build it.
            channel.force(true);
        }
    }

    /** Makes missing parent directories, refusing any parent that is a file or a symlink from the archive. */
    private Path makeParents(String name) throws IOException, PackException {
        Path path = root;
        int start = 0;
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            String parent = name.substring(0, slash);
            path = path.resolve(name.substring(start, slash));
            start = slash + 1;
            Kind kind = made.get(parent);
            if (kind == null) {
                if (++entries > limits.maxEntries()) {
                    throw new PackException("the archive has more than " + limits.maxEntries()
                            + " entries, over the unpack limit; refusing it");
                }
                try {
                    Files.createDirectory(path);
                } catch (FileSystemException e) {
                    throw new PackException("archive entry '" + quote(name) + "' cannot be created here ("
                            + e.getReason() + "); refusing the archive");
                }
                Files.setPosixFilePermissions(path, DIR_MODE);
                made.put(parent, Kind.DIRECTORY);
            } else if (kind != Kind.DIRECTORY) {
                throw new PackException("archive entry '" + quote(name) + "' lies inside " + quote(parent)
                        + ", which is a " + (kind == Kind.SYMLINK ? "symlink" : "file") + "; refusing the archive");
            }
        }
        return path.resolve(name.substring(start));
    }

    /** The '/'-joined name without "." and empty parts; absolute names and ".." are refused. */
    private static String normalise(String raw) throws PackException {
        if (raw.startsWith("/")) {
            throw new PackException("archive entry '" + quote(raw) + "' has an absolute name; refusing the archive");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new PackException("archive entry '" + quote(raw) + "' has a NUL in its name; refusing the archive");
        }
        StringBuilder name = new StringBuilder(raw.length());
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new PackException("archive entry '" + quote(raw) + "' climbs out with '..'; refusing the archive");
            }
            if (name.length() > 0) {
                name.append('/');
            }
            name.append(part);
        }
        return name.toString();
    }

    private static Kind kindOf(TarArchiveEntry entry) throws PackException {
        byte flag = entry.getLinkFlag();
        if (entry.isSparse()) {
            throw new PackException("archive entry '" + quote(entry.getName()) + "' is a sparse file, which npc does"
                    + " not unpack; refusing the archive");
        }
        if (flag == TarConstants.LF_DIR) {
            return Kind.DIRECTORY;
        }
        if (flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM) {
            return entry.getName().endsWith("/") ? Kind.DIRECTORY : Kind.FILE; // old tars mark directories by the slash
        }
        if (flag == TarConstants.LF_SYMLINK) {
            return Kind.SYMLINK;
        }
        String what = switch (flag) {
            case TarConstants.LF_LINK -> "a hard link";
            case TarConstants.LF_CHR -> "a character device";
            case TarConstants.LF_BLK -> "a block device";
            case TarConstants.LF_FIFO -> "a fifo";
            default -> "of tar type '" + quote(String.valueOf((char) flag)) + "'";
        };
        throw new PackException("archive entry '" + quote(entry.getName()) + "' is " + what
                + "; only files, directories and relative symlinks are unpacked, refusing the archive");
    }
}
