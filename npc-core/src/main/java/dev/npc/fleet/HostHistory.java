package dev.npc.fleet;

import dev.npc.host.HostState;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.store.GetResult;
import dev.npc.store.IntegrityException;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A host's newest history records (one per finished activation attempt, each the whole state.json
 * as it stood then), newest first. A record never changes once written (its key holds its time),
 * so one reader keeps what it parsed and a later read (the served page's refresh) only lists.
 * Records are hostile input like every document in the bucket: one that cannot be read is
 * returned with the reason instead of failing the whole view; one that arrived damaged (an
 * {@link IntegrityException}) too, but it is not kept, so the next read fetches it again.
 */
public final class HostHistory {
    private final Store store;
    private final Map<String, Entry> known = new ConcurrentHashMap<>();

    /**
     * @param key     the record's key
     * @param result  the result its key names (the daemon's {@code <utc>-<result>.json})
     * @param state   the record, or null when it could not be read
     * @param problem why it could not be read, or null
     */
    public record Entry(String key, String result, HostState state, String problem) { }

    public HostHistory(Store store) {
        this.store = store;
    }

    /** The newest {@code limit} records of {@code host}, newest first (keys sort by time). */
    public List<Entry> newest(String host, int limit) throws IOException {
        String prefix = Layout.historyPrefix(host);
        List<ObjectInfo> listed = store.list(prefix);
        List<Entry> entries = new ArrayList<>();
        for (int i = listed.size() - 1; i >= 0 && entries.size() < limit; i--) {
            String key = listed.get(i).key();
            String name = key.substring(prefix.length());
            if (name.contains("/") || !name.endsWith(".json")) {
                continue;
            }
            Entry entry = known.get(key);
            if (entry == null) {
                try {
                    entry = read(key, name);
                    known.put(key, entry);
                } catch (IntegrityException e) {
                    // Damaged on the way, not a bad record: shown with the reason, never kept, read again next time.
                    entry = new Entry(key, resultOf(name), null, e.getMessage());
                }
            }
            entries.add(entry);
        }
        return List.copyOf(entries);
    }

    /** Forgets records of hosts no longer shown, so a long-running page does not grow without bound. */
    public void retainHosts(Set<String> hosts) {
        Set<String> prefixes = new HashSet<>();
        hosts.forEach(h -> prefixes.add(Layout.historyPrefix(h)));
        known.keySet().removeIf(key -> prefixes.stream().noneMatch(key::startsWith));
    }

    private Entry read(String key, String name) throws IOException {
        String result = resultOf(name);
        try (GetResult got = store.get(key, null)) {
            if (!(got instanceof GetResult.Found found)) {
                return new Entry(key, result, null, "deleted while being read");
            }
            byte[] bytes;
            try (InputStream body = found.body()) {
                bytes = body.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
            }
            return new Entry(key, result, Json.read(bytes, HostState.class, key), null);
        } catch (InvalidDocumentException e) {
            return new Entry(key, result, null, e.getMessage());
        }
    }

    /** The result a record's name ({@code <utc>-<result>.json}) says. */
    private static String resultOf(String name) {
        int dash = name.indexOf('-');
        return dash < 0 ? "unknown" : name.substring(dash + 1, name.length() - ".json".length());
    }
}
