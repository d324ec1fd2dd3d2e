package dev.npc.watch;

import dev.npc.fleet.FleetReader;
import dev.npc.fleet.RolloutRecord;
import dev.npc.fleet.StatusClassifier;
import dev.npc.json.InvalidDocumentException;
import dev.npc.store.Store;
import dev.npc.time.Sleeper;
import dev.npc.watch.Destination.Delivered;
import dev.npc.watch.Destination.Delivery;
import dev.npc.watch.Destination.Failed;
import dev.npc.watch.WatchState.Pending;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * npc watch: looks at the fleet, turns what changed into events, queues each event for every
 * destination and delivers them, each destination on its own (one that is down or slow delays
 * nobody else), in order, with backoff. Every change of what it knows is saved before anything
 * is sent, so a restart resends exactly what was not delivered, and nothing twice that was.
 *
 * <p>The first start (no state file) knows no host in trouble, so the fleet's current problems
 * are sent once: someone who starts watching a fleet with a failed host wants to hear of it, and
 * would otherwise never hear (it stays failed, so it never changes). From then on only changes.
 */
public final class Watcher {
    /** A refused event (4xx) is tried this often, then dropped with a log line. */
    static final int MAX_REFUSED_TRIES = 3;
    /** Per destination: past this the oldest undelivered events go (a receiver gone for weeks). */
    static final int MAX_OUTBOX = 1000;

    private final Store store;
    private final FleetReader reader;
    private final int staleMultiple;
    private final List<Destination> destinations;
    private final StateFile stateFile;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final Consumer<String> log;
    private final EventDetector detector;

    private Map<String, WatchState.HostMark> hosts;
    private String rollout;
    private final Map<String, List<Pending>> outbox = new LinkedHashMap<>();
    private String lastRolloutProblem;

    public Watcher(Store store, FleetReader reader, int staleMultiple, List<Destination> destinations, StateFile stateFile,
                   Clock clock, Sleeper sleeper, Backoff backoff, Consumer<String> log) throws IOException {
        this.store = store;
        this.reader = reader;
        this.staleMultiple = staleMultiple;
        // The same URL or command given twice is one destination: it gets each event once.
        Map<String, Destination> byId = new LinkedHashMap<>();
        destinations.forEach(d -> byId.putIfAbsent(d.id(), d));
        this.destinations = List.copyOf(byId.values());
        this.stateFile = stateFile;
        this.clock = clock;
        this.sleeper = sleeper;
        this.backoff = backoff;
        this.log = log;
        this.detector = new EventDetector(store.url());
        WatchState saved = stateFile.load(store.url());
        hosts = new HashMap<>(saved.hosts() == null ? Map.of() : saved.hosts());
        rollout = saved.rollout();
        Map<String, List<Pending>> savedOutbox = saved.outbox() == null ? Map.of() : saved.outbox();
        for (Destination destination : this.destinations) {
            outbox.put(destination.id(), new ArrayList<>(savedOutbox.getOrDefault(destination.id(), List.of())));
        }
        savedOutbox.forEach((id, pending) -> {
            if (!outbox.containsKey(id) && !pending.isEmpty()) {
                log.accept("dropped " + pending.size() + " undelivered event(s) of " + id
                        + ", a destination no longer given");
            }
        });
        int waiting = pendingCount();
        if (waiting > 0) {
            log.accept(waiting + " undelivered event(s) from the last run; sending them first");
        }
    }

    /** One look at the fleet: the new events, queued for every destination and saved. */
    public List<WatchEvent> look() throws IOException {
        Instant now = clock.instant();
        FleetReader.Fleet fleet = reader.read(new StatusClassifier(now, staleMultiple), remote -> true);
        EventDetector.Change change = detector.detect(hosts, rollout, fleet, lastRollout(), now);
        synchronized (this) {
            hosts = new HashMap<>(change.hosts());
            rollout = change.rollout();
            for (WatchEvent event : change.events()) {
                for (Map.Entry<String, List<Pending>> queue : outbox.entrySet()) {
                    queue.getValue().add(new Pending(event, 0, now, null));
                    if (queue.getValue().size() > MAX_OUTBOX) {
                        Pending dropped = queue.getValue().remove(0);
                        log.accept("dropped " + dropped.event().id() + " for " + queue.getKey() + ": over " + MAX_OUTBOX
                                + " events wait for it");
                    }
                }
            }
            save();
        }
        return change.events();
    }

    /** A damaged rollouts/last.json must not silence the hosts' alerts: it is logged (once per text) and skipped. */
    private Optional<RolloutRecord> lastRollout() throws IOException {
        try {
            Optional<RolloutRecord> record = RolloutRecord.read(store);
            lastRolloutProblem = null;
            return record;
        } catch (InvalidDocumentException e) {
            if (!e.getMessage().equals(lastRolloutProblem)) {
                log.accept("skipping the rollout record: " + dev.npc.text.SafeText.line(e.getMessage()));
                lastRolloutProblem = e.getMessage();
            }
            return Optional.empty();
        }
    }

    /**
     * Delivers what is due to every destination at once, each in order, stopping a destination at
     * its first failure (so its events arrive in order).
     *
     * @param ignoreBackoff try every waiting event now, backoff or not (a one-shot run)
     * @return the events still waiting, over all destinations
     */
    public int deliver(boolean ignoreBackoff) throws InterruptedException, IOException {
        List<Destination> busy = destinations.stream().filter(d -> !queue(d).isEmpty()).toList();
        if (busy.isEmpty()) {
            return 0;
        }
        ExecutorService pool = Executors.newFixedThreadPool(busy.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Destination destination : busy) {
                running.add(pool.submit(() -> {
                    deliverTo(destination, ignoreBackoff);
                    return null;
                }));
            }
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    if (e.getCause() instanceof InterruptedException interrupted) {
                        throw interrupted;
                    }
                    throw new IOException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return pendingCount();
    }

    private void deliverTo(Destination destination, boolean ignoreBackoff) throws InterruptedException, IOException {
        while (true) {
            Pending next;
            synchronized (this) {
                List<Pending> queue = queue(destination);
                if (queue.isEmpty()) {
                    return;
                }
                next = queue.get(0);
            }
            if (!ignoreBackoff && next.nextAttemptAt() != null && next.nextAttemptAt().isAfter(clock.instant())) {
                return;
            }
            Delivery delivery = destination.deliver(next.event());
            int attempts = next.attempts() + 1;
            synchronized (this) {
                List<Pending> queue = queue(destination);
                if (delivery instanceof Delivered) {
                    queue.remove(0);
                    log.accept("sent " + next.event().id() + " to " + destination.describe()
                            + (attempts > 1 ? " (try " + attempts + ")" : ""));
                    save();
                    continue;
                }
                Failed failed = (Failed) delivery;
                if (failed.permanent() && attempts >= MAX_REFUSED_TRIES) {
                    queue.remove(0);
                    log.accept("dropped " + next.event().id() + " for " + destination.describe() + " after " + attempts
                            + " refusals: " + failed.reason());
                    save();
                    continue;
                }
                if (attempts == 1 || !failed.permanent()) {
                    // A refusal is logged once; an outage at each try, so the log shows it going on.
                    log.accept("could not send " + next.event().id() + " (try " + attempts + "): " + failed.reason());
                }
                Duration wait = failed.retryAfter() != null ? Backoff.bounded(failed.retryAfter()) : backoff.after(attempts);
                queue.set(0, new Pending(next.event(), attempts, clock.instant().plus(wait), failed.reason()));
                save();
                return;
            }
        }
    }

    /** When the earliest waiting event is due, or empty when none waits. */
    public synchronized Optional<Instant> nextDue() {
        return outbox.values().stream().filter(q -> !q.isEmpty()).map(q -> q.get(0).nextAttemptAt())
                .min(Instant::compareTo);
    }

    /**
     * Looks every {@code every} and delivers in between as events come due, until interrupted. A
     * store that cannot be read is logged and tried again at the next look: a network blip must
     * not end the watch.
     */
    public void run(Duration every) throws InterruptedException, IOException {
        Instant nextLook = clock.instant();
        while (!Thread.currentThread().isInterrupted()) {
            if (!clock.instant().isBefore(nextLook)) {
                try {
                    look();
                } catch (IOException e) {
                    log.accept("could not read the fleet (trying again in " + dev.npc.time.Durations.format(every) + "): "
                            + dev.npc.text.SafeText.line(e.getMessage()));
                }
                nextLook = clock.instant().plus(every);
            }
            deliver(false);
            Instant wake = nextDue().filter(nextLook::isAfter).orElse(nextLook);
            Duration sleep = Duration.between(clock.instant(), wake);
            sleeper.sleep(sleep.isNegative() ? Duration.ZERO : sleep);
        }
    }

    private synchronized List<Pending> queue(Destination destination) {
        return outbox.get(destination.id());
    }

    private synchronized int pendingCount() {
        return outbox.values().stream().mapToInt(List::size).sum();
    }

    private synchronized void save() throws IOException {
        Map<String, List<Pending>> copy = new LinkedHashMap<>();
        outbox.forEach((id, queue) -> copy.put(id, List.copyOf(queue)));
        stateFile.save(new WatchState(WatchState.SCHEMA, store.url(), Map.copyOf(hosts), rollout, copy));
    }
}
