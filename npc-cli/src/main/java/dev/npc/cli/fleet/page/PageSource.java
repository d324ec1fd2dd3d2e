package dev.npc.cli.fleet.page;

import dev.npc.fleet.FleetReader;
import dev.npc.fleet.HostHistory;
import dev.npc.fleet.HostView;
import dev.npc.fleet.RolloutRecord;
import dev.npc.fleet.StatusClassifier;
import dev.npc.json.InvalidDocumentException;
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
        Map<String, List<HostHistory.Entry>> histories = new LinkedHashMap<>();
        for (HostView host : fleet.hosts().subList(0, Math.min(HISTORY_HOSTS, fleet.hosts().size()))) {
            histories.put(host.host(), history.newest(host.host(), HISTORY_RECORDS));
        }
        history.retainHosts(histories.keySet());
        return new FleetPage.Snapshot(store.url(), now, fleet, rollout, rolloutProblem, histories, refresh);
    }
}
