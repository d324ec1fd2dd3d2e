package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.store.Layout;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;

/**
 * The hosts' documents as last read, by key and ETag, kept parsed ({@link DocumentCodec}): a
 * document whose ETag in the listing is the one kept here is not fetched, nor parsed, again. One
 * file per store, replaced whole (written to a temporary file, then renamed over), so a reader
 * sees the old or the new file, never half; written only when something changed. Each distinct
 * string is in the file once; its entries are read on a thread of their own while the first
 * listing goes out (split where the file's header says).
 *
 * <p>The file is no more trusted than the bucket: what is read back is checked as a fetched
 * document is (a desired.json validated again, every field bounded), and a file that is not what
 * {@link #save} writes (truncated, corrupt, too large, another store's, another version's) is
 * ignored as a whole: every document is then fetched. It is bounded ({@link #MAX_ENTRIES}
 * documents, {@link #MAX_BYTES} in all): past the bound, documents are left out and fetched each time.
 */
public final class DocumentCache {
    static final int MAX_ENTRIES = 400_000;
    static final long MAX_BYTES = 128L << 20;
    private static final int MAX_ETAG = 1024;
    static final String MAGIC = "npc-fleet-cache 3";

    /**
     * A document as the reader keeps it, with the ETag it had when it was read: a valid
     * desired.json, a state.json's status fields ({@link DocumentCodec#trim}), or why it was refused.
     */
    public record Entry(String etag, Desired desired, HostState state, String error) {
        public static Entry desired(String etag, Desired desired) {
            return new Entry(etag, desired, null, null);
        }

        public static Entry state(String etag, HostState state) {
            return new Entry(etag, null, state, null);
        }

        /** A document that did not parse or validate: {@code error} says why, naming the document. */
        public static Entry refused(String etag, String error) {
            return new Entry(etag, null, null, error);
        }

        boolean matches(String etag) {
            return etag != null && this.etag != null && unquote(etag).equals(unquote(this.etag));
        }
    }

    private final Path file;
    private final String identity;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean dirty;
    /** The file's entries, read on a thread of their own while the first listing goes out; every use of them waits. */
    private volatile FutureTask<Void> loading;
    /** Where the file's writer split its keys every {@link #fileEvery}: what the first listing needs of the file. */
    private List<String> fileBounds = List.of();
    private int fileEvery;

    private DocumentCache(Path file, String identity) {
        this.file = file;
        this.identity = identity;
    }

    /** A cache kept only while the process runs (what --no-cache leaves: wait's later looks still send ETags). */
    public static DocumentCache inMemory() {
        return new DocumentCache(null, null);
    }

    /**
     * The cache of the store {@code identity} under {@code directory}: loaded from its file when
     * that holds a valid cache of this store, else empty. Its entries are read in the background;
     * {@link #bounds} answers at once.
     */
    public static DocumentCache open(Path directory, String identity) {
        DocumentCache cache = new DocumentCache(directory.resolve("fleet-" + dev.npc.digest.Sha256.hex(
                identity.getBytes(StandardCharsets.UTF_8)).substring(0, 32) + ".cache"), identity);
        cache.startLoading();
        return cache;
    }

    public Entry get(String key) {
        return entries().get(key);
    }

    public void put(String key, Entry entry) {
        if (entry.etag() == null || entry.etag().length() > MAX_ETAG) {
            entries().remove(key);
        } else {
            entries().put(key, entry);
        }
        dirty = true;
    }

    /** Forgets every document not in {@code keys}: what the store no longer holds. */
    public void retainOnly(Set<String> keys) {
        if (entries().keySet().retainAll(keys)) {
            dirty = true;
        }
    }

    /** The keys held, sorted: where the last listing's pages began and ended. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(entries().keySet());
        keys.sort(null);
        return keys;
    }

    /**
     * Every {@code every}th key held, where a listing can be split into ranges of about that many
     * documents (none when fewer than two ranges). While the file's entries load, the bounds its
     * writer kept, so the listing need not wait for them.
     */
    public List<String> bounds(int every) {
        if (loading != null && fileEvery == every) {
            return fileBounds;
        }
        List<String> known = keys();
        if (known.size() < 2 * every) {
            return List.of();
        }
        List<String> bounds = new ArrayList<>();
        for (int i = every - 1; i < known.size() - 1; i += every) {
            bounds.add(known.get(i));
        }
        return bounds;
    }

    public int size() {
        return entries().size();
    }

    /** The entries, once the file's are loaded: a failed load leaves none. */
    private Map<String, Entry> entries() {
        FutureTask<Void> task = loading;
        if (task != null) {
            boolean interrupted = false;
            while (true) {
                try {
                    task.get();
                    break;
                } catch (InterruptedException e) {
                    // A local file's read ends soon; the entries must not change under the caller.
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    entries.clear();
                    break;
                }
            }
            loading = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return entries;
    }

    /**
     * Writes the cache when something changed since it was loaded or saved. A failure to write
     * costs only speed next time, so it is returned for the caller to mention, not thrown.
     *
     * @param every where {@link #bounds} splits the keys on the next run
     * @return null when saved or nothing changed, else why it could not be written
     */
    public String save(int every) {
        Map<String, Entry> entries = entries();
        if (file == null || !dirty) {
            return null;
        }
        Path temporary = null;
        try {
            Path directory = file.getParent();
            if (!Files.isDirectory(directory)) {
                // The documents say what every host runs: readable by this user only.
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            temporary = Files.createTempFile(directory, ".fleet-", ".tmp");
            try (OutputStream raw = Files.newOutputStream(temporary)) {
                write(raw, identity, entries, every);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
            dirty = false;
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot write the fleet cache " + file + ": " + e.getMessage();
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // a stray temporary file in the cache directory is harmless
                }
            }
        }
    }

    /**
     * The file's form: the magic line, the store's identity, every {@code every}th key, the
     * table of strings, then the entries (key, ETag, document; the strings as numbers), up to the bounds.
     */
    static void write(OutputStream to, String identity, Map<String, Entry> entries, int every) throws IOException {
        // Entries first, to a buffer, so the table of their strings can precede them.
        DocumentCodec.Strings strings = new DocumentCodec.Strings();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(body)) {
            int count = 0;
            // Sorted: a host's two documents next to each other, its name checked once when loaded.
            for (Map.Entry<String, Entry> entry : new java.util.TreeMap<>(entries).entrySet()) {
                if (count == MAX_ENTRIES || out.size() + strings.bytes() > MAX_BYTES) {
                    break;
                }
                out.writeBoolean(true);
                out.writeInt(strings.number(entry.getKey()));
                out.writeInt(strings.number(entry.getValue().etag()));
                DocumentCodec.write(out, entry.getValue(), strings);
                count++;
            }
            out.writeBoolean(false);
        }
        List<String> keys = new ArrayList<>(new java.util.TreeSet<>(entries.keySet()));
        List<String> bounds = new ArrayList<>();
        if (keys.size() >= 2 * every) {
            for (int i = every - 1; i < keys.size() - 1; i += every) {
                bounds.add(keys.get(i));
            }
        }
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(to, 1 << 16));
        out.writeUTF(MAGIC);
        out.writeUTF(identity);
        out.writeInt(every);
        out.writeInt(bounds.size());
        for (String bound : bounds) {
            out.writeUTF(bound);
        }
        strings.writeTable(out);
        body.writeTo(out);
        out.flush();
    }

    /**
     * Reads the file's header here and its entries on a thread of their own. Everything or
     * nothing: a file that breaks any rule leaves the cache empty.
     */
    private void startLoading() {
        DataInputStream in = null;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES + (1 << 20)) {
                return;
            }
            long size = Files.size(file);
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            if (!MAGIC.equals(in.readUTF()) || !identity.equals(in.readUTF())) {
                in.close();
                return;
            }
            int every = in.readInt();
            int count = in.readInt();
            if (every < 1 || count < 0 || count > MAX_ENTRIES) {
                in.close();
                return;
            }
            List<String> bounds = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String bound = in.readUTF();
                // Any bounds give a whole listing (the ranges cover every key): only keep them sane.
                if (Layout.hostOfDocument(bound) == null || !bounds.isEmpty() && bound.compareTo(bounds.get(i - 1)) <= 0) {
                    in.close();
                    return;
                }
                bounds.add(bound);
            }
            DataInputStream body = in;
            FutureTask<Void> task = new FutureTask<>(() -> {
                try (body) {
                    loadEntries(body, size);
                }
                return null;
            });
            fileEvery = every;
            fileBounds = List.copyOf(bounds);
            loading = task;
            Thread thread = new Thread(task, "npc-cache");
            thread.setDaemon(true);
            thread.start();
        } catch (IOException | RuntimeException e) {
            // Not a cache this version wrote: start empty, the store has every document.
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing was read from it
                }
            }
        }
    }

    private void loadEntries(DataInputStream in, long size) {
        Map<String, Entry> loaded = new java.util.HashMap<>();
        try {
            DocumentCodec.Reader strings = DocumentCodec.Reader.readTable(in, size);
            String lastHost = null;
            while (in.readBoolean()) {
                String key = strings.string(in);
                String etag = strings.string(in);
                // hosts/<host>/desired.json or state.json, the host's name checked once for both.
                String host = key == null ? null : Layout.hostOfDocument(key);
                if (loaded.size() == MAX_ENTRIES || host == null || etag == null || etag.isEmpty()
                        || etag.length() > MAX_ETAG || !host.equals(lastHost) && !dev.npc.host.HostName.isValid(host)) {
                    return;
                }
                lastHost = host;
                boolean isState = key.endsWith("/" + Layout.STATE_NAME);
                Entry entry = DocumentCodec.read(in, key, etag, isState, strings);
                if (loaded.put(key, entry) != null) {
                    return;
                }
            }
            if (in.read() != -1) {
                return;
            }
            entries.putAll(loaded);
        } catch (IOException | RuntimeException e) {
            // Not a cache this version wrote: start empty, the store has every document.
            entries.clear();
        }
    }

    private static String unquote(String etag) {
        String trimmed = etag.trim();
        if (trimmed.startsWith("W/")) {
            trimmed = trimmed.substring(2);
        }
        return trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")
                ? trimmed.substring(1, trimmed.length() - 1) : trimmed;
    }
}
