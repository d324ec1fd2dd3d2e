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

/**
 * The hosts' documents as last read, by key and ETag, kept parsed ({@link DocumentCodec}): a
 * document whose ETag in the listing is the one kept here is not fetched, nor parsed, again. One
 * file per store, replaced whole (written to a temporary file, then renamed over), so a reader
 * sees the old or the new file, never half; written only when something changed.
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
    static final String MAGIC = "npc-fleet-cache 2";

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
     * that holds a valid cache of this store, else empty.
     */
    public static DocumentCache open(Path directory, String identity) {
        DocumentCache cache = new DocumentCache(directory.resolve("fleet-" + dev.npc.digest.Sha256.hex(
                identity.getBytes(StandardCharsets.UTF_8)).substring(0, 32) + ".cache"), identity);
        cache.load();
        return cache;
    }

    public Entry get(String key) {
        return entries.get(key);
    }

    public void put(String key, Entry entry) {
        if (entry.etag() == null || entry.etag().length() > MAX_ETAG) {
            entries.remove(key);
        } else {
            entries.put(key, entry);
        }
        dirty = true;
    }

    /** Forgets every document not in {@code keys}: what the store no longer holds. */
    public void retainOnly(Set<String> keys) {
        if (entries.keySet().retainAll(keys)) {
            dirty = true;
        }
    }

    /** The keys held, sorted: where the last listing's pages began and ended. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(entries.keySet());
        keys.sort(null);
        return keys;
    }

    public int size() {
        return entries.size();
    }

    /**
     * Writes the cache when something changed since it was loaded or saved. A failure to write
     * costs only speed next time, so it is returned for the caller to mention, not thrown.
     *
     * @return null when saved or nothing changed, else why it could not be written
     */
    public String save() {
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
            try (OutputStream raw = Files.newOutputStream(temporary);
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
                out.writeUTF(MAGIC);
                out.writeUTF(identity);
                int count = 0;
                for (Map.Entry<String, Entry> entry : entries.entrySet()) {
                    if (count == MAX_ENTRIES || out.size() > MAX_BYTES) {
                        break;
                    }
                    out.writeBoolean(true);
                    out.writeUTF(entry.getKey());
                    out.writeUTF(entry.getValue().etag());
                    DocumentCodec.write(out, entry.getValue());
                    count++;
                }
                out.writeBoolean(false);
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

    /** Everything or nothing: a file that breaks any rule leaves the cache empty. */
    private void load() {
        Map<String, Entry> loaded = new java.util.HashMap<>();
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES + (1 << 20)) {
                return;
            }
            try (InputStream raw = Files.newInputStream(file);
                 DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
                if (!MAGIC.equals(in.readUTF()) || !identity.equals(in.readUTF())) {
                    return;
                }
                DocumentCodec.Shared shared = new DocumentCodec.Shared();
                while (in.readBoolean()) {
                    String key = in.readUTF();
                    // Hosts with the same desired.json share its ETag.
                    String etag = shared.etag(in.readUTF());
                    String host = Layout.hostOfDocument(key);
                    if (loaded.size() == MAX_ENTRIES || host == null || !isValidHostName(host) || etag.isEmpty()
                            || etag.length() > MAX_ETAG) {
                        return;
                    }
                    boolean isState = key.equals(Layout.state(host));
                    if (!isState && !key.equals(Layout.desired(host))) {
                        return;
                    }
                    Entry entry = DocumentCodec.read(in, key, etag, isState, shared);
                    if (loaded.put(key, entry) != null) {
                        return;
                    }
                }
                if (in.read() != -1) {
                    return;
                }
            }
            entries.putAll(loaded);
        } catch (IOException | RuntimeException e) {
            // Not a cache this version wrote: start empty, the store has every document.
            entries.clear();
        }
    }

    private static boolean isValidHostName(String host) {
        try {
            dev.npc.host.HostName.check(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
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
