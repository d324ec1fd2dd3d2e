package dev.npc.fleet;

import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteCatalog;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemotePromoter;
import dev.npc.remote.Signing;
import dev.npc.store.Store;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Promotes the version a source remote holds now through a list of wave remotes, one at a time,
 * waiting for each wave's hosts before the next. It stops at the first failing wave and never
 * touches later ones. Each wave is copied from the one before with the version pinned, so a push
 * to the source during the rollout cannot slip into later waves.
 *
 * <p>Before anything is promoted every wave is checked: a wave remote that does not exist is a
 * typo until the caller says to create it, and a wave that no host follows would let the version
 * pass untested to the next wave, so both stop the rollout unless allowed.
 */
public final class Rollout {
    private final Store store;
    private final RemotePromoter promoter;
    private final FleetWaiter waiter;
    private final FleetReader reader;
    private final Signing signing;
    private final Clock clock;

    /** @param signing signs each wave's copy for that wave's name (a signature never carries over) */
    public Rollout(Store store, Clock clock, FleetWaiter waiter, FleetReader reader, Signing signing) {
        this.store = store;
        this.promoter = new RemotePromoter(store, clock);
        this.waiter = waiter;
        this.reader = reader;
        this.signing = signing;
        this.clock = clock;
    }

    /**
     * @param allowEmptyWave a wave no host follows is promoted and passed (it tests nothing)
     * @param create         wave remotes that do not exist yet are created by the rollout
     */
    public record Options(boolean allowEmptyWave, boolean create) {
        public static final Options STRICT = new Options(false, false);
    }

    /** What happened to one wave. */
    public record WaveResult(String remote, FleetWaiter.Outcome outcome) { }

    /**
     * @param refused why the rollout did not start (waves that do not exist or that no host
     *                follows), null when it ran; nothing was promoted when set
     */
    public record Result(String version, List<WaveResult> waves, boolean complete, String refused) { }

    /** Progress events, for the command's output. */
    public interface Listener {
        void promoted(String wave, String version, boolean unchanged);

        void waiting(FleetWaiter.Progress progress);

        void waveDone(String wave, FleetWaiter.Outcome outcome);
    }

    public Result run(String from, List<String> waves, Duration timeout, Duration every, Options options,
                      Listener listener) throws IOException, InterruptedException, RemoteException {
        String version = new RemoteCatalog(store).describe(from).map(RemoteCatalog.RemoteInfo::sha256)
                .orElseThrow(() -> new RemoteException("remote '" + from + "' does not exist in " + store.url()
                        + "; push it first"));
        if (!Sha256.isHex(version)) {
            throw new RemoteException("remote '" + from + "' has no valid npc-sha256 metadata; re-publish it with npc push");
        }
        String refused = check(waves, options);
        if (refused != null) {
            return new Result(version, List.of(), false, refused);
        }
        List<WaveResult> results = new ArrayList<>();
        RolloutRecord record = RolloutRecord.started(from, version, waves, clock.instant());
        record.write(store);
        String previous = from;
        for (String wave : waves) {
            RemotePromoter.Promoted promoted = promoter.promote(previous, wave, version, signing);
            listener.promoted(wave, version, promoted.unchanged());
            record = record.with(wave, RolloutRecord.WaveState.WAITING, null, false, clock.instant());
            record.write(store);
            Consumer<FleetWaiter.Progress> progress = listener::waiting;
            FleetWaiter.Outcome outcome = waiter.await(wave, Set.of(), version, timeout, every, progress);
            listener.waveDone(wave, outcome);
            results.add(new WaveResult(wave, outcome));
            boolean passed = outcome instanceof FleetWaiter.Done
                    || outcome instanceof FleetWaiter.NoHosts && options.allowEmptyWave();
            boolean last = wave.equals(waves.get(waves.size() - 1));
            record = record.with(wave, passed ? RolloutRecord.WaveState.UP_TO_DATE : RolloutRecord.WaveState.of(outcome),
                    passed ? null : RolloutRecord.Wave.describe(outcome), last, clock.instant());
            record.write(store);
            if (!passed) {
                return new Result(version, List.copyOf(results), false, null);
            }
            previous = wave;
        }
        return new Result(version, List.copyOf(results), true, null);
    }

    /** One look at the store and the fleet: why the rollout must not start, or null. */
    private String check(List<String> waves, Options options) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String wave : waves) {
            if (store.head(dev.npc.store.Layout.remote(wave)).isEmpty()) {
                missing.add(wave);
            }
        }
        if (!missing.isEmpty() && !options.create()) {
            return "wave remote" + (missing.size() == 1 ? " '" + missing.get(0) + "' does" : "s '"
                    + String.join("', '", missing) + "' do") + " not exist in " + store.url()
                    + "; check the names (npc remotes), or pass --create to create "
                    + (missing.size() == 1 ? "it" : "them");
        }
        if (options.allowEmptyWave()) {
            return null;
        }
        FleetReader.Fleet fleet = reader.read(new StatusClassifier(Instant.now(), 1), name -> true);
        Map<String, Long> followers = new java.util.HashMap<>();
        fleet.hosts().forEach(h -> followers.merge(String.valueOf(h.remoteName()), 1L, Long::sum));
        List<String> empty = waves.stream().filter(w -> !followers.containsKey(w)).toList();
        if (!empty.isEmpty()) {
            return "no host follows wave " + String.join(", ", empty) + ": the version would pass "
                    + (empty.size() == 1 ? "it" : "them") + " untested; check the names and npc hosts list, or pass"
                    + " --allow-empty-wave";
        }
        return null;
    }
}
