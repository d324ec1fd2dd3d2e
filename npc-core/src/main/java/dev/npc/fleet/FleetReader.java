package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteCatalog;
import dev.npc.remote.RemoteCatalog.RemoteInfo;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.ParallelRequests;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Reads the whole fleet from the store: one listing of {@code hosts/} (every desired.json's and
 * state.json's ETag, 1,000 keys a page), then only the documents whose ETag is not the one in the
 * {@link DocumentCache}, with a bounded number of requests in flight: the state.json documents
 * first, then each desired.json its host's state.json does not carry (a report names the ETag of
 * the desired.json it acted on, with a copy, taken only when the listing shows that ETag); and
 * every remote's version (a listing and one HEAD per remote: a promote copies the same bytes with
 * new metadata, so a remote's ETag does not tell its metadata changed). What is kept of a
 * document is what a fresh read of its ETag gives ({@link DocumentCodec#trim}), and a kept or
 * carried document is validated as a fetched one is.
 *
 * <p>When the cache knows the keys from an earlier read, the listing is split at every
 * {@link #KEYS_PER_RANGE}th of them ({@link DocumentCache#bounds}) into ranges listed at once ({@link Store#list(String, String, String)}):
 * ranges cover every key, so a host added or removed since is seen all the same, and the wait is
 * about one page instead of one page per 1,000 keys after another.
 */
public final class FleetReader {
    public static final int DEFAULT_CONCURRENCY = 32;
    /** Under S3's 1,000 keys a page, so a range that gained some keys since still fits one page. */
    static final int KEYS_PER_RANGE = 900;
    private static final Comparator<HostView> PROBLEMS_FIRST =
            Comparator.comparing(HostView::status).thenComparing(HostView::host);

    private final Store store;
    private final int concurrency;
    /** Documents read before, kept by this reader for its later looks (wait, --watch) and, on disk, for the next process. */
    private final DocumentCache cache;
    private final int keysPerRange;

    /** A reader that keeps what it read only while it lives. */
    public FleetReader(Store store, int concurrency) {
        this(store, concurrency, DocumentCache.inMemory());
    }

    public FleetReader(Store store, int concurrency, DocumentCache cache) {
        this(store, concurrency, cache, KEYS_PER_RANGE);
    }

    /** @param keysPerRange where to split the listing: small in tests, to split a small fleet */
    FleetReader(Store store, int concurrency, DocumentCache cache, int keysPerRange) {
        this.store = store;
        this.concurrency = Math.max(1, concurrency);
        this.cache = cache;
        this.keysPerRange = keysPerRange;
    }

    /** A snapshot of the fleet, sorted problems first. */
    public record Fleet(List<HostView> hosts, Map<String, RemoteInfo> remotes) { }

    /** What the listing says a host has: the ObjectInfo of each document, null when absent. */
    private static final class Listed {
        ObjectInfo desired;
        ObjectInfo state;
    }

    /** A document as read: kept parsed (null when absent), or why it could not be read. */
    private record Read(DocumentCache.Entry entry, String unreadable) {
        static final Read ABSENT = new Read(null, null);
    }

    /**
     * @param remoteFilter which followed remotes to keep (a host with no desired.json follows none)
     */
    public Fleet read(StatusClassifier classifier, Predicate<String> remoteFilter) throws IOException {
        Listing listing = list();
        Map<String, Listed> hosts = listing.hosts();
        Map<String, RemoteInfo> remotes = listing.remotes();
        // state.json first: a report names the desired.json it acted on and carries a copy, so a
        // desired.json listed with that ETag is not fetched.
        Map<String, HostState.DesiredRef> carried = new ConcurrentHashMap<>();
        Map<String, Read> documents = new HashMap<>(hosts.size() * 3);
        fetchChanged(hosts.values().stream().map(l -> l.state).toList(), documents, carried);
        List<ObjectInfo> desiredToRead = new ArrayList<>();
        // Most hosts carry the same desired.json: each distinct copy validated and kept once.
        Map<Desired, Desired> validCopies = new HashMap<>();
        for (Map.Entry<String, Listed> host : hosts.entrySet()) {
            ObjectInfo desired = host.getValue().desired;
            if (desired != null && !fromCarriedCopy(host.getKey(), desired, carried.get(host.getKey()), documents,
                    validCopies)) {
                desiredToRead.add(desired);
            }
        }
        fetchChanged(desiredToRead, documents, carried);
        cache.retainOnly(listing.keys());
        List<HostView> views = new ArrayList<>(hosts.size());
        for (Map.Entry<String, Listed> entry : hosts.entrySet()) {
            HostView view = view(entry.getKey(), entry.getValue(), documents, classifier, remotes);
            if (view != null && remoteFilter.test(view.remoteName())) {
                views.add(view);
            }
        }
        views.sort(PROBLEMS_FIRST);
        return new Fleet(List.copyOf(views), Map.copyOf(remotes));
    }

    /** What the listings say: each host's documents, every document's key, and the remotes. */
    private record Listing(Map<String, Listed> hosts, Set<String> keys, Map<String, RemoteInfo> remotes) { }

    /**
     * Lists hosts/ and the remotes. Only what the read needs outlives this method, not the
     * listing itself (a history record's entry for each host, too): a large fleet's heap is small.
     */
    private Listing list() throws IOException {
        // The remotes' listing and HEADs go out while hosts/ is listed: their round trips overlap
        // instead of adding up (a warm read is nothing but these requests).
        ParallelRequests.Both<List<ObjectInfo>, List<RemoteInfo>> lists =
                ParallelRequests.both("listing the fleet", this::listHosts, () -> new RemoteCatalog(store).list());
        Map<String, RemoteInfo> remotes = new HashMap<>();
        for (RemoteInfo remote : lists.second()) {
            remotes.put(remote.name(), remote);
        }
        Map<String, Listed> hosts = new TreeMap<>();
        Set<String> keys = new HashSet<>();
        String lastHost = null;
        for (ObjectInfo object : lists.first()) {
            String host = Layout.hostOfDocument(object.key());
            // A host's two documents are listed next to each other: its name is checked once.
            if (host == null || !host.equals(lastHost) && !dev.npc.host.HostName.isValid(host)) {
                // hosts/<h>/history/ records an older daemon wrote, and keys npc never writes.
                continue;
            }
            lastHost = host;
            Listed listed = hosts.computeIfAbsent(host, h -> new Listed());
            if (object.key().endsWith("/" + Layout.DESIRED_NAME)) {
                listed.desired = object;
            } else {
                listed.state = object;
            }
            keys.add(object.key());
        }
        return new Listing(hosts, keys, remotes);
    }

    /**
     * Takes desired.json from the copy the host's state.json carries when the listing shows it
     * with exactly the ETag the copy names and the copy validates as the document would (else the
     * caller fetches it): the same ETag is the same bytes, which parse to the same document.
     */
    private boolean fromCarriedCopy(String host, ObjectInfo listed, HostState.DesiredRef carried,
                                    Map<String, Read> documents, Map<Desired, Desired> validCopies) {
        DocumentCache.Entry known = cache.get(listed.key());
        if (known != null && known.matches(listed.etag())) {
            documents.put(listed.key(), new Read(known, null));
            return true;
        }
        if (carried == null || carried.etag() == null || carried.document() == null) {
            return false;
        }
        DocumentCache.Entry named = DocumentCache.Entry.desired(listed.etag(), null);
        if (!named.matches(carried.etag())) {
            return false;
        }
        Desired document = validCopies.get(carried.document());
        if (document == null) {
            try {
                carried.document().validate(Layout.desired(host));
            } catch (InvalidDocumentException e) {
                return false;
            }
            document = DocumentCodec.trim(carried.document());
            validCopies.put(carried.document(), document);
        }
        DocumentCache.Entry copy = DocumentCache.Entry.desired(listed.etag(), document);
        cache.put(listed.key(), copy);
        documents.put(listed.key(), new Read(copy, null));
        return true;
    }

    /**
     * Writes the documents read to the cache's file, if it has one and anything changed.
     *
     * @return null when done or nothing to do, else why the cache could not be written
     */
    public String saveCache() {
        return cache.save(keysPerRange);
    }

    /** Every key under hosts/: in ranges at once when the cache says where to split, else page after page. */
    private List<ObjectInfo> listHosts() throws IOException {
        List<String> bounds = cache.bounds(keysPerRange);
        if (bounds.isEmpty()) {
            return store.list(Layout.HOSTS);
        }
        List<String[]> ranges = new ArrayList<>();
        for (int i = 0; i <= bounds.size(); i++) {
            ranges.add(new String[] {i == 0 ? null : bounds.get(i - 1), i == bounds.size() ? null : bounds.get(i)});
        }
        List<ObjectInfo> all = new ArrayList<>((bounds.size() + 2) * keysPerRange);
        ParallelRequests.map(ranges, concurrency, "listing the fleet", range -> store.list(Layout.HOSTS, range[0], range[1]))
                .forEach(all::addAll);
        return all;
    }

    /**
     * The documents whose ETag the cache does not hold, fetched in parallel and parsed; the others
     * from the cache. A fetched state.json's copy of desired.json goes to {@code carried}.
     */
    private void fetchChanged(List<ObjectInfo> objects, Map<String, Read> documents,
                              Map<String, HostState.DesiredRef> carried) throws IOException {
        List<ObjectInfo> toFetch = new ArrayList<>();
        for (ObjectInfo object : objects) {
            if (object == null || documents.containsKey(object.key())) {
                continue;
            }
            DocumentCache.Entry known = cache.get(object.key());
            if (known != null && known.matches(object.etag())) {
                documents.put(object.key(), new Read(known, null));
            } else {
                toFetch.add(object);
            }
        }
        List<Read> reads = ParallelRequests.map(toFetch, concurrency, "reading the fleet",
                object -> fetchOrSayWhy(object.key(), carried));
        for (int i = 0; i < toFetch.size(); i++) {
            documents.put(toFetch.get(i).key(), reads.get(i));
        }
    }

    /**
     * One document that cannot be read (after the store's own retries) makes its host unknown
     * with the reason, instead of failing the view of the whole fleet.
     */
    private Read fetchOrSayWhy(String key, Map<String, HostState.DesiredRef> carried) {
        try {
            DocumentCache.Entry entry = readSmall(key, carried);
            return entry == null ? Read.ABSENT : new Read(entry, null);
        } catch (IOException e) {
            return new Read(null, "cannot read its documents: " + e.getMessage());
        }
    }

    private HostView view(String host, Listed listed, Map<String, Read> documents, StatusClassifier classifier,
                          Map<String, RemoteInfo> remotes) {
        Read desiredRead = listed.desired == null ? Read.ABSENT : documents.get(listed.desired.key());
        Read stateRead = listed.state == null ? Read.ABSENT : documents.get(listed.state.key());
        String unreadable = desiredRead.unreadable() != null ? desiredRead.unreadable() : stateRead.unreadable();
        if (unreadable != null) {
            return new HostView(host, null, null, null, null, HostStatus.UNKNOWN, unreadable);
        }
        DocumentCache.Entry desiredEntry = desiredRead.entry();
        DocumentCache.Entry stateEntry = stateRead.entry();
        if (desiredEntry == null && stateEntry == null) {
            return null;
        }
        Desired desired = desiredEntry == null ? null : desiredEntry.desired();
        String desiredError = desiredEntry == null ? null : desiredEntry.error();
        HostState state = stateEntry == null ? null : stateEntry.state();
        if (stateEntry != null && stateEntry.error() != null && desiredError == null) {
            desiredError = stateEntry.error();
        }
        RemoteInfo remote = desired == null ? null : remotes.get(desired.remote());
        return classifier.classify(host, desired, desiredError, state, remote);
    }

    /**
     * Reads a small document and parses it as the cache keeps it; anything over the JSON size
     * limit is cut so parsing reports it. The ETag kept from an earlier read goes along: a
     * document that changed and changed back since the listing costs no body.
     */
    private DocumentCache.Entry readSmall(String key, Map<String, HostState.DesiredRef> carried) throws IOException {
        DocumentCache.Entry known = cache.get(key);
        try (GetResult result = store.getSmall(key, known == null ? null : known.etag(), Json.MAX_DOCUMENT_BYTES)) {
            if (result instanceof GetResult.NotModified) {
                return known;
            }
            if (result instanceof GetResult.Found found) {
                byte[] bytes;
                try (InputStream body = found.body()) {
                    bytes = body.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
                }
                DocumentCache.Entry entry = parse(key, found.info().etag(), bytes, carried);
                cache.put(key, entry);
                return entry;
            }
            // Deleted since the listing: as if it had not been listed.
            return null;
        }
    }

    /** What a fetched document says, as the cache keeps it; a state.json's copy of desired.json into {@code carried}. */
    private static DocumentCache.Entry parse(String key, String etag, byte[] bytes,
                                             Map<String, HostState.DesiredRef> carried) {
        String host = Layout.hostOfDocument(key);
        try {
            if (key.equals(Layout.state(host))) {
                HostState state = Json.read(bytes, HostState.class, key);
                if (state.desired() != null && state.desired().etag() != null && state.desired().document() != null) {
                    carried.put(host, state.desired());
                }
                return DocumentCache.Entry.state(etag, DocumentCodec.trim(state));
            }
            return DocumentCache.Entry.desired(etag, DocumentCodec.trim(Desired.parse(bytes, key)));
        } catch (InvalidDocumentException e) {
            return DocumentCache.Entry.refused(etag, e.getMessage());
        }
    }
}
