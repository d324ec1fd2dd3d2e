package dev.npc.store;

import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A store in a local directory with the semantics of {@link S3Store}: the same keys, ETags
 * (quoted hex MD5 of the bytes), conditional reads and writes, metadata and sorted listings.
 *
 * <p>On-disk layout (stable; docs/format.md calls the metadata file "a sidecar"):
 * <pre>
 * &lt;dir&gt;/&lt;key&gt;                    the object's bytes, a plain file (tar, cp and friends read it)
 * &lt;dir&gt;/.npc~/meta/&lt;key&gt;.json    its sidecar: {"format":1,"etag":..,"size":..,"modified":..,"metadata":{..}}
 * &lt;dir&gt;/.npc~/staging/            files of writes in progress
 * &lt;dir&gt;/.npc~/lock                the lock file
 * </pre>
 * A key cannot contain '~' ({@link StoreKeys}), so nothing under {@code .npc~} can collide
 * with an object or show in a listing.
 *
 * <p>Consistency: a write stages the data and the sidecar, then, holding the directory's
 * exclusive lock, checks its precondition and renames both into place (ATOMIC_MOVE); readers hold
 * the shared lock while they look, so they see the old pair or the new pair, never a mix, and two
 * conditional writers cannot both win. A sidecar is trusted only while the file's size and
 * modification time are the ones it recorded; otherwise (a crash between the two renames, or
 * someone edited the file) the ETag is recomputed from the bytes and the metadata is kept only
 * if its ETag still matches, so metadata never describes other bytes than the file's.
 *
 * <p>Symbolic links inside the directory are not objects: they are neither read nor listed.
 * A file system cannot hold both {@code a} and {@code a/b}; such a write is refused with a
 * clear message (S3 would allow it; npc's layout never needs it).
 */
public final class FileStore implements Store {
    private static final String CONTROL = ".npc~";
    private static final int SIDECAR_FORMAT = 1;

    private final Path root;
    private final Path control;
    private final Path metaRoot;
    private final Path staging;
    private final DirectoryLock lock;
    private final String url;

    /** What a sidecar records about the data file next to it. */
    record Sidecar(int format, String etag, long size, Instant modified, Map<String, String> metadata) { }

    /** @param directory an absolute directory; created on the first write */
    public FileStore(Path directory) {
        if (!directory.isAbsolute()) {
            throw new IllegalArgumentException("file store directory '" + directory
                    + "' must be absolute; use file:///absolute/dir");
        }
        this.root = directory.normalize();
        this.control = root.resolve(CONTROL);
        this.metaRoot = control.resolve("meta");
        this.staging = control.resolve("staging");
        this.lock = new DirectoryLock(control.resolve("lock"));
        this.url = "file://" + root;
    }

    public Path directory() {
        return root;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public GetResult get(String key, String ifNoneMatch) throws IOException {
        StoreKeys.check(key);
        try (DirectoryLock.Held held = lock.shared()) {
            ObjectInfo info = current(key);
            if (info == null) {
                return new GetResult.Missing(key);
            }
            if (ifNoneMatch != null && Etags.same(ifNoneMatch, info.etag())) {
                return new GetResult.NotModified(info.etag());
            }
            // Opened under the lock: the descriptor keeps these bytes even if a writer replaces the file later.
            return new GetResult.Found(info, Files.newInputStream(dataPath(key), LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw failure("read", where(key), e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        StoreKeys.check(key);
        try (DirectoryLock.Held held = lock.shared()) {
            return Optional.ofNullable(current(key));
        } catch (IOException e) {
            throw failure("read", where(key), e);
        }
    }

    @Override
    public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        StoreKeys.check(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + where(key) + " must not be negative: " + length);
        }
        Map<String, String> meta = UserMetadata.normalise(metadata, where(key));
        Precondition condition = precondition == null ? Precondition.NONE : precondition;
        Path stagedData = null;
        Path stagedMeta = null;
        try {
            Files.createDirectories(staging);
            stagedData = newStagingFile("data-");
            String etag = writeExactly(body, length, stagedData, key);
            Sidecar sidecar = new Sidecar(SIDECAR_FORMAT, etag, length, modified(stagedData), meta);
            stagedMeta = stageSidecar(sidecar);
            try (DirectoryLock.Held held = lock.exclusive()) {
                check(condition, current(key), key);
                commit(key, stagedData, stagedMeta);
            }
            return info(key, sidecar);
        } catch (IOException e) {
            throw failure("write", where(key), e);
        } finally {
            deleteQuietly(stagedData);
            deleteQuietly(stagedMeta);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String checked = StoreKeys.checkPrefix(prefix);
        int slash = checked.lastIndexOf('/');
        // Only the deepest directory the prefix names can hold matches: walk from there.
        Path start = slash < 0 ? root : root.resolve(checked.substring(0, slash));
        List<ObjectInfo> result = new ArrayList<>();
        try (DirectoryLock.Held held = lock.shared()) {
            if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
                return result;
            }
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return dir.equals(control) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String key = keyOf(file);
                    if (attrs.isRegularFile() && key != null && key.startsWith(checked)) {
                        ObjectInfo info = current(key);
                        if (info != null) {
                            // Like S3, a listing carries no metadata: callers that need it head the object.
                            result.add(new ObjectInfo(key, info.etag(), info.size(), info.lastModified(), Map.of()));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw failure("list", where(checked), e);
        }
        result.sort(Comparator.comparing(ObjectInfo::key));
        return result;
    }

    /** Reads directory entries instead of every object below them (a host's whole history, say). */
    @Override
    public List<String> listChildren(String prefix) throws IOException {
        String checked = StoreKeys.checkPrefix(prefix);
        int slash = checked.lastIndexOf('/');
        Path parent = slash < 0 ? root : root.resolve(checked.substring(0, slash));
        String namePrefix = checked.substring(slash + 1);
        List<String> names = new ArrayList<>();
        try (DirectoryLock.Held held = lock.shared()) {
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                return names;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.startsWith(namePrefix) && name.length() > namePrefix.length()
                            && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS) && !entry.equals(control)
                            && holdsAnObject(entry)) {
                        names.add(name.substring(namePrefix.length()));
                    }
                }
            }
        } catch (IOException e) {
            throw failure("list", where(checked), e);
        }
        names.removeIf(name -> {
            try {
                StoreKeys.check(name);
                return false;
            } catch (IllegalArgumentException e) {
                return true;
            }
        });
        names.sort(null);
        return names;
    }

    private boolean holdsAnObject(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && keyOf(file) != null);
        }
    }

    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException {
        return copy(fromKey, toKey, sourceIfMatch, null);
    }

    /** With {@code metadata}, the copy's sidecar carries it instead of the source's. */
    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch, Map<String, String> metadata)
            throws IOException {
        StoreKeys.check(fromKey);
        StoreKeys.check(toKey);
        Map<String, String> replaced = metadata == null ? null : UserMetadata.normalise(metadata, where(toKey));
        Path stagedData = null;
        Path stagedMeta = null;
        try {
            Files.createDirectories(staging);
            stagedData = newStagingFile("copy-");
            try (DirectoryLock.Held held = lock.exclusive()) {
                ObjectInfo source = current(fromKey);
                if (source == null) {
                    throw new NoSuchKeyException("cannot copy " + where(fromKey) + ": it does not exist");
                }
                if (sourceIfMatch != null && !Etags.same(sourceIfMatch, source.etag())) {
                    throw new PreconditionFailedException("cannot copy " + where(fromKey) + " to " + toKey
                            + ": it changed (ETag " + source.etag() + ", expected " + sourceIfMatch
                            + "); inspect it again and retry");
                }
                Files.copy(dataPath(fromKey), stagedData, StandardCopyOption.REPLACE_EXISTING);
                force(stagedData);
                // The copy must be the version checked above: its bytes are hashed again, as an S3
                // copy's result ETag is compared with its source's.
                String copied = contentMd5Of(stagedData);
                if (!Etags.same(copied, source.etag())) {
                    throw new IntegrityException("cannot copy " + where(fromKey) + " to " + toKey + ": the copy's bytes"
                            + " have MD5 " + copied + ", not the source's " + source.etag()
                            + " (was the file changed outside npc?); nothing was copied", toKey, null);
                }
                Sidecar sidecar = new Sidecar(SIDECAR_FORMAT, source.etag(), source.size(),
                        modified(stagedData), replaced == null ? source.metadata() : replaced);
                stagedMeta = stageSidecar(sidecar);
                commit(toKey, stagedData, stagedMeta);
                return info(toKey, sidecar);
            }
        } catch (IOException e) {
            throw failure("copy", where(fromKey) + " to " + toKey, e);
        } finally {
            deleteQuietly(stagedData);
            deleteQuietly(stagedMeta);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        StoreKeys.check(key);
        Path data = dataPath(key);
        if (!Files.isDirectory(root)) {
            return; // nothing was ever written here, and a delete should not create the store
        }
        try (DirectoryLock.Held held = lock.exclusive()) {
            if (Files.isRegularFile(data, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(data);
                pruneEmptyParents(data.getParent(), root);
            }
            Path meta = metaPath(key);
            if (Files.deleteIfExists(meta)) {
                pruneEmptyParents(meta.getParent(), metaRoot);
            }
        } catch (NoSuchFileException e) {
            // The directory itself does not exist: nothing to delete.
        } catch (IOException e) {
            throw failure("delete", where(key), e);
        }
    }

    @Override
    public void close() {
        // Nothing is held between calls.
    }

    /** The object as a reader must see it, or null when there is none. Call with the lock held. */
    private ObjectInfo current(String key) throws IOException {
        Path data = dataPath(key);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(data, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            if (isAbsent(e)) {
                return null;
            }
            throw e;
        }
        if (!attrs.isRegularFile()) {
            return null;
        }
        Instant modified = attrs.lastModifiedTime().toInstant();
        Sidecar sidecar = readSidecar(key);
        if (sidecar != null && sidecar.size() == attrs.size() && modified.equals(sidecar.modified())) {
            return info(key, sidecar);
        }
        String etag = contentMd5Of(data);
        Map<String, String> metadata = sidecar != null && Etags.same(sidecar.etag(), etag)
                ? sidecar.metadata() : Map.of();
        return new ObjectInfo(key, etag, attrs.size(), modified, metadata, Etags.unquote(etag), null);
    }

    private Sidecar readSidecar(String key) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(metaPath(key));
        } catch (FileSystemException e) {
            if (isAbsent(e)) {
                return null;
            }
            throw e;
        }
        try {
            Sidecar sidecar = Json.read(bytes, Sidecar.class, metaPath(key).toString());
            boolean usable = sidecar.format() == SIDECAR_FORMAT && sidecar.etag() != null
                    && sidecar.modified() != null;
            return usable ? sidecar : null;
        } catch (InvalidDocumentException e) {
            // A damaged sidecar is treated like a missing one: the bytes still speak for themselves.
            return null;
        }
    }

    private ObjectInfo info(String key, Sidecar sidecar) {
        Map<String, String> metadata = sidecar.metadata() == null ? Map.of() : sidecar.metadata();
        // The ETag is the MD5 npc computed from the bytes as it wrote them (or from the file itself).
        return new ObjectInfo(key, sidecar.etag(), sidecar.size(), sidecar.modified(), metadata,
                Etags.unquote(sidecar.etag()), null);
    }

    /** Renames the staged pair into place; sidecar last, so a crash in between cannot pair old metadata with new bytes. */
    private void commit(String key, Path stagedData, Path stagedMeta) throws IOException {
        Path data = dataPath(key);
        Path meta = metaPath(key);
        makeParents(data, key);
        if (Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
            throw new StoreException("cannot write " + where(key) + ": objects exist under '" + key
                    + "/' and a file store cannot hold both; delete them or use another key");
        }
        Files.createDirectories(meta.getParent());
        Files.move(stagedData, data, StandardCopyOption.ATOMIC_MOVE);
        Files.move(stagedMeta, meta, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(data.getParent());
        syncDirectory(meta.getParent());
    }

    private void makeParents(Path data, String key) throws IOException {
        try {
            Files.createDirectories(data.getParent());
        } catch (FileAlreadyExistsException e) {
            throw new StoreException("cannot write " + where(key) + ": '" + root.relativize(Path.of(e.getFile()))
                    + "' is an object, and a file store cannot hold both it and keys under it; use another key");
        }
    }

    private Path stageSidecar(Sidecar sidecar) throws IOException {
        Path staged = newStagingFile("meta-");
        try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(Json.write(sidecar)));
            channel.force(true);
        }
        return staged;
    }

    /**
     * A new empty file for a write in progress. Not {@code Files.createTempFile}: its mode 0600
     * would follow the file into place, and a store directory is often read by other users
     * (a daemon, a web server); the umask decides, as for any file the user writes.
     */
    private Path newStagingFile(String kind) throws IOException {
        return Files.createFile(staging.resolve(kind + UUID.randomUUID() + ".tmp"));
    }

    private String writeExactly(InputStream body, long length, Path target, String key) throws IOException {
        MessageDigest md5 = Etags.newMd5();
        byte[] buffer = new byte[1 << 16];
        long remaining = length;
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
            while (remaining > 0) {
                int n = body.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new StoreException("cannot write " + where(key) + ": the body ended after "
                            + (length - remaining) + " of " + length + " bytes; nothing was written");
                }
                md5.update(buffer, 0, n);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
                remaining -= n;
            }
            channel.force(true);
        }
        return Etags.quoted(md5.digest());
    }

    private void check(Precondition condition, ObjectInfo current, String key) throws PreconditionFailedException {
        if (condition.ifNoneMatchAny() && current != null) {
            throw new PreconditionFailedException("not written: " + where(key)
                    + " already exists (ETag " + current.etag() + "); read it and decide whether to replace it");
        }
        if (condition.ifMatch() != null) {
            if (current == null) {
                throw new PreconditionFailedException("not written: " + where(key)
                        + " no longer exists (expected ETag " + condition.ifMatch() + "); read it again and retry");
            }
            if (!Etags.same(condition.ifMatch(), current.etag())) {
                throw new PreconditionFailedException("not written: " + where(key) + " changed (ETag "
                        + current.etag() + ", expected " + condition.ifMatch() + "); read it again and retry");
            }
        }
    }

    private Path dataPath(String key) {
        return root.resolve(key);
    }

    private Path metaPath(String key) {
        return metaRoot.resolve(key + ".json");
    }

    /** The key of a file under the root, or null when its path is not a valid key (staging files, editor backups). */
    private String keyOf(Path file) {
        String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        try {
            return StoreKeys.check(relative);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private String where(String key) {
        return url + "/" + key;
    }

    private static Instant modified(Path file) throws IOException {
        return Files.getLastModifiedTime(file).toInstant();
    }

    private static String contentMd5Of(Path file) throws IOException {
        MessageDigest md5 = Etags.newMd5();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md5.update(buffer, 0, n);
            }
        }
        return Etags.quoted(md5.digest());
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes the renames durable; some file systems cannot sync a directory, and then the rename is as durable as it gets. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    /** S3 has no directories: once a directory holds no object it goes, so its name can become a key again. */
    private static void pruneEmptyParents(Path dir, Path stop) throws IOException {
        Path current = dir;
        while (current != null && current.startsWith(stop) && !current.equals(stop)) {
            try {
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            }
            current = current.getParent();
        }
    }

    /** Missing, or a path through a file ("a/b" when "a" is an object): either way there is no object. */
    private static boolean isAbsent(FileSystemException e) {
        return e instanceof NoSuchFileException || e instanceof NotDirectoryException
                || "Not a directory".equals(e.getReason());
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover staging file is harmless: it never shows as an object.
            }
        }
    }

    private StoreException failure(String action, String target, IOException e) {
        if (e instanceof StoreException store) {
            return store;
        }
        if (e instanceof AccessDeniedException) {
            return new StoreException("permission denied to " + action + " " + target + ": make " + root
                    + " readable and writable by this user", e);
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return new StoreException("cannot " + action + " " + target + ": " + fs.getReason()
                    + " (" + fs.getFile() + ")", e);
        }
        return new StoreException("cannot " + action + " " + target + ": " + e, e);
    }
}
