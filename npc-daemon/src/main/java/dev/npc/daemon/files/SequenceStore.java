package dev.npc.daemon.files;

import dev.npc.files.AtomicFiles;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sequences.json}: the highest publish sequence this host accepted per remote name, signed
 * by a trusted key. A remote with a lower sequence is an older signed version put back (from
 * remotes-history/ or the bucket's object versions) and is refused as a replay. Written
 * atomically and flushed before the version is used, so neither a restart nor a power cut lets a
 * host go back to an older version it already moved past.
 */
public final class SequenceStore {
    private final Path file;
    private final Map<String, Long> highest;

    private SequenceStore(Path file, Map<String, Long> highest) {
        this.file = file;
        this.highest = highest;
    }

    /**
     * @throws IOException when the file exists but cannot be read as written by npc: starting
     *                     afresh would silently forget what the host has seen
     */
    public static SequenceStore open(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new SequenceStore(file, new TreeMap<>());
        }
        try {
            Map<String, Long> read = Json.mapper().readValue(Files.readAllBytes(file), new TypeReference<TreeMap<String, Long>>() { });
            if (read == null || read.values().stream().anyMatch(v -> v == null || v < 1)) {
                throw new IOException("not a map of remote names to sequences");
            }
            return new SequenceStore(file, new TreeMap<>(read));
        } catch (IOException e) {
            throw new IOException(file + " cannot be read (" + e.getMessage().lines().findFirst().orElse("") + "); it holds"
                    + " the highest signed sequence accepted per remote, which protects this host from replays;"
                    + " restore it, or delete it to start afresh (the host then accepts any signed version once)", e);
        }
    }

    /** The highest sequence accepted for {@code remote}, 0 when none. */
    public synchronized long seen(String remote) {
        return highest.getOrDefault(remote, 0L);
    }

    /** Records {@code sequence} for {@code remote} if it is higher than what was seen; durable on return. */
    public synchronized void accepted(String remote, long sequence) throws IOException {
        if (sequence <= seen(remote)) {
            return;
        }
        Map<String, Long> next = new TreeMap<>(highest);
        next.put(remote, sequence);
        AtomicFiles.write(file, Json.write(next));
        highest.put(remote, sequence);
    }
}
