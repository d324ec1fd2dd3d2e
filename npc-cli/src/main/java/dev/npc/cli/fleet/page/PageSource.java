package dev.npc.cli.fleet.page;

import dev.npc.fleet.FleetReader;
import dev.npc.fleet.HostHistory;
import dev.npc.fleet.HostView;
import dev.npc.fleet.RolloutRecord;
import dev.npc.fleet.StatusClassifier;
import dev.npc.json.InvalidDocumentException;
import dev.npc.store.ParallelRequests;
import dev.npc.store.Store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads what the fleet page shows: the fleet through the same reader as {@code npc status}, the
 * last rollout, and a bounded part of the hosts' history. One source serves every refresh of
 * {@code --serve}, so documents and history records read before cost a 304 or nothing.
 */
public final class PageSource {
    /** History is read for this many hosts, in the page's order (problems first)... */
    public static final int HISTORY_HOSTS = 50;
    /** ...and this many records of each, newest first. */
    public static final int HISTORY_RECORDS = 20;
    private static final int HISTORY_THREADS = 8;

    private final Store store;
    private final FleetReader reader;
    private final HostHistory history;

    public PageSource(Store store, FleetReader reader) {
        this.store = store;
        this.reader = reader;
        this.history = new HostHistory(store);
    }

    /** @param refresh how often a served page reloads, or null for a page written once */
    public FleetPage.Snapshot read(Instant now, int staleMultiple, Predicate<String> remoteFilter, Duration refresh)
            throws IOException {
        FleetReader.Fleet fleet = reader.read(new StatusClassifier(now, staleMultiple), remoteFilter);
        RolloutRecord rollout = null;
        String rolloutProblem = null;
        try {
            Optional<RolloutRecord> last = RolloutRecord.read(store);
            rollout = last.orElse(null);
        } catch (InvalidDocumentException e) {
            rolloutProblem = e.getMessage();
        }
        Map<String, List<HostHistory.Entry>> histories = histories(fleet.hosts().subList(0,
                Math.min(HISTORY_HOSTS, fleet.hosts().size())));
        history.retainHosts(histories.keySet());
        return new FleetPage.Snapshot(store.url(), now, fleet, rollout, rolloutProblem, histories, refresh);
    }

    /**
     * A listing and up to {@link #HISTORY_RECORDS} GETs per host: several hosts at once, as a
     * first read of 50 hosts one request after another would take a long while on S3.
     */
    private Map<String, List<HostHistory.Entry>> histories(List<HostView> hosts) throws IOException {
        List<List<HostHistory.Entry>> read = ParallelRequests.map(hosts, HISTORY_THREADS, "reading the hosts' history",
                host -> history.newest(host.host(), HISTORY_RECORDS));
        Map<String, List<HostHistory.Entry>> histories = new LinkedHashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            histories.put(hosts.get(i).host(), read.get(i));
        }
        return histories;
    }
}
