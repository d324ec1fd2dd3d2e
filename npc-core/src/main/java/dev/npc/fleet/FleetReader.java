package dev.npc.fleet;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteCatalog;
import dev.npc.remote.RemoteCatalog.RemoteInfo;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Reads the whole fleet from the store: every host's desired.json and state.json, and every
 * remote's version, with a bounded number of requests in flight.
 */
public final class FleetReader {
    public static final int DEFAULT_CONCURRENCY = 32;
    private static final Comparator<HostView> PROBLEMS_FIRST =
            Comparator.comparing(HostView::status).thenComparing(HostView::host);

    private final Store store;
    private final int concurrency;
    /** Documents read before, by key: a later read of the same reader (wait, --watch) sends their ETag and gets a 304. */
    private final java.util.concurrent.ConcurrentMap<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private record Cached(String etag, byte[] bytes) { }

    public FleetReader(Store store, int concurrency) {
        this.store = store;
        this.concurrency = Math.max(1, concurrency);
    }

    /** A snapshot of the fleet, sorted problems first. */
    public record Fleet(List<HostView> hosts, Map<String, RemoteInfo> remotes) { }

    /**
     * @param remoteFilter which followed remotes to keep (a host with no desired.json follows none)
     */
    public Fleet read(StatusClassifier classifier, Predicate<String> remoteFilter) throws IOException {
        Map<String, RemoteInfo> remotes = new HashMap<>();
        for (RemoteInfo remote : new RemoteCatalog(store).list()) {
            remotes.put(remote.name(), remote);
        }
        List<String> hosts = store.listChildren(Layout.HOSTS);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, Math.max(1, hosts.size())));
        try {
            List<Future<HostView>> futures = new ArrayList<>(hosts.size());
            for (String host : hosts) {
                futures.add(pool.submit(() -> readHostOrSayWhy(host, classifier, remotes)));
            }
            List<HostView> views = new ArrayList<>(hosts.size());
            for (Future<HostView> future : futures) {
                HostView view = future.get();
                if (view != null && remoteFilter.test(view.remoteName())) {
                    views.add(view);
                }
            }
            views.sort(PROBLEMS_FIRST);
            return new Fleet(List.copyOf(views), Map.copyOf(remotes));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the fleet", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One host that cannot be read (after the store's own retries) is shown as unknown with the
     * reason, instead of failing the view of the whole fleet.
     */
    private HostView readHostOrSayWhy(String host, StatusClassifier classifier, Map<String, RemoteInfo> remotes) {
        try {
            return readHost(host, classifier, remotes);
        } catch (IOException e) {
            return new HostView(host, null, null, null, null, HostStatus.UNKNOWN, "cannot read its documents: " + e.getMessage());
        }
    }

    private HostView readHost(String host, StatusClassifier classifier, Map<String, RemoteInfo> remotes)
            throws IOException {
        if (!isValidHostName(host)) {
            return null;
        }
        Desired desired = null;
        String desiredError = null;
        byte[] desiredBytes = readSmall(Layout.desired(host));
        if (desiredBytes != null) {
            try {
                desired = Desired.parse(desiredBytes, Layout.desired(host));
            } catch (InvalidDocumentException e) {
                desiredError = e.getMessage();
            }
        }
        HostState state = null;
        byte[] stateBytes = readSmall(Layout.state(host));
        if (stateBytes != null) {
            try {
                state = Json.read(stateBytes, HostState.class, Layout.state(host));
            } catch (InvalidDocumentException e) {
                desiredError = desiredError != null ? desiredError : e.getMessage();
            }
        }
        if (desiredBytes == null && stateBytes == null) {
            return null;
        }
        RemoteInfo remote = desired == null ? null : remotes.get(desired.remote());
        return classifier.classify(host, desired, desiredError, state, remote);
    }

    private static boolean isValidHostName(String host) {
        try {
            dev.npc.host.HostName.check(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Reads a small document; anything over the JSON size limit is cut so parsing reports it. */
    private byte[] readSmall(String key) throws IOException {
        Cached known = cache.get(key);
        try (GetResult result = store.get(key, known == null ? null : known.etag())) {
            if (result instanceof GetResult.NotModified) {
                return known.bytes();
            }
            if (result instanceof GetResult.Found found) {
                try (InputStream body = found.body()) {
                    byte[] bytes = body.readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
                    if (found.info().etag() != null) {
                        cache.put(key, new Cached(found.info().etag(), bytes));
                    }
                    return bytes;
                }
            }
            cache.remove(key);
            return null;
        }
    }
}
