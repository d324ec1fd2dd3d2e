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
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Promotes the version a source remote holds now through a list of wave remotes, one at a time,
 * waiting for each wave's hosts before the next. It stops at the first failing wave and never
 * touches later ones. Each wave is copied from the one before with the version pinned, so a push
 * to the source during the rollout cannot slip into later waves.
 */
public final class Rollout {
    private final Store store;
    private final RemotePromoter promoter;
    private final FleetWaiter waiter;
    private final Signing signing;

    public Rollout(Store store, Clock clock, FleetWaiter waiter) {
        this(store, clock, waiter, Signing.NONE);
    }

    /** @param signing signs each wave's copy for that wave's name (a signature never carries over) */
    public Rollout(Store store, Clock clock, FleetWaiter waiter, Signing signing) {
        this.store = store;
        this.promoter = new RemotePromoter(store, clock);
        this.waiter = waiter;
        this.signing = signing;
    }

    /** What happened to one wave. */
    public record WaveResult(String remote, FleetWaiter.Outcome outcome) { }

    public record Result(String version, List<WaveResult> waves, boolean complete) { }

    /** Progress events, for the command's output. */
    public interface Listener {
        void promoted(String wave, String version, boolean unchanged);

        void waiting(FleetWaiter.Progress progress);

        void waveDone(String wave, FleetWaiter.Outcome outcome);
    }

    public Result run(String from, List<String> waves, Duration timeout, Duration every, Listener listener)
            throws IOException, InterruptedException, RemoteException {
        String version = new RemoteCatalog(store).describe(from).map(RemoteCatalog.RemoteInfo::sha256)
                .orElseThrow(() -> new RemoteException("remote '" + from + "' does not exist in " + store.url()
                        + "; push it first"));
        if (!Sha256.isHex(version)) {
            throw new RemoteException("remote '" + from + "' has no valid npc-sha256 metadata; re-publish it with npc push");
        }
        List<WaveResult> results = new java.util.ArrayList<>();
        String previous = from;
        for (String wave : waves) {
            RemotePromoter.Promoted promoted = promoter.promote(previous, wave, version, signing);
            listener.promoted(wave, version, promoted.unchanged());
            Consumer<FleetWaiter.Progress> progress = listener::waiting;
            FleetWaiter.Outcome outcome = waiter.await(wave, Set.of(), version, timeout, every, progress);
            listener.waveDone(wave, outcome);
            results.add(new WaveResult(wave, outcome));
            if (!(outcome instanceof FleetWaiter.Done) && !(outcome instanceof FleetWaiter.NoHosts)) {
                return new Result(version, List.copyOf(results), false);
            }
            previous = wave;
        }
        return new Result(version, List.copyOf(results), true);
    }
}
