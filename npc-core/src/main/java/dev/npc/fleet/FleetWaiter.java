package dev.npc.fleet;

import dev.npc.digest.Sha256;
import dev.npc.time.Sleeper;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Waits until every host following a remote runs its current version, and stops at the first
 * host that failed or rolled back on it. The CI gate and each rollout wave are this loop.
 */
public final class FleetWaiter {
    private final FleetReader reader;
    private final Clock clock;
    private final Sleeper sleeper;
    private final int staleMultiple;

    public FleetWaiter(FleetReader reader, Clock clock, Sleeper sleeper, int staleMultiple) {
        this.reader = reader;
        this.clock = clock;
        this.sleeper = sleeper;
        this.staleMultiple = staleMultiple;
    }

    /** What one look at the fleet found. */
    public record Progress(String remote, String version, int total, int done, int paused, List<HostView> waitingOn) { }

    public sealed interface Outcome permits Done, Failed, TimedOut, NoHosts, NoRemote { }

    /** Every host in scope runs the version (paused hosts are held back on purpose and listed). */
    public record Done(String version, List<HostView> hosts, List<HostView> paused) implements Outcome { }

    /** A host failed or rolled back on the version: the gate closes at once. */
    public record Failed(String version, HostView host) implements Outcome { }

    public record TimedOut(String version, List<HostView> notDone) implements Outcome { }

    /** No host follows the remote (or none of those named). */
    public record NoHosts(String remote) implements Outcome { }

    /** The remote does not exist in the store: nothing can ever become up to date on it. */
    public record NoRemote(String remote) implements Outcome { }

    /**
     * @param hosts            only these hosts (empty = every host following {@code remote})
     * @param expectedVersion  wait for this version (null = whatever the remote holds at each look)
     */
    public Outcome await(String remote, Set<String> hosts, String expectedVersion, Duration timeout,
                         Duration every, Consumer<Progress> progress) throws IOException, InterruptedException {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the interval between looks must be positive, not " + every);
        }
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            StatusClassifier classifier = new StatusClassifier(clock.instant(), staleMultiple);
            FleetReader.Fleet fleet = reader.read(classifier, remote::equals);
            List<HostView> scope = new ArrayList<>();
            for (HostView view : fleet.hosts()) {
                if (hosts.isEmpty() || hosts.contains(view.host())) {
                    scope.add(view);
                }
            }
            if (!fleet.remotes().containsKey(remote)) {
                return new NoRemote(remote);
            }
            if (scope.isEmpty()) {
                return new NoHosts(remote);
            }
            String version = expectedVersion;
            if (version == null) {
                version = fleet.remotes().containsKey(remote) ? fleet.remotes().get(remote).sha256() : null;
            }
            List<HostView> waiting = new ArrayList<>();
            List<HostView> paused = new ArrayList<>();
            int done = 0;
            for (HostView view : scope) {
                boolean onVersion = version != null && version.equals(view.remoteVersion());
                if (onVersion && (view.status() == HostStatus.FAILED || view.status() == HostStatus.ROLLED_BACK)) {
                    return new Failed(version, view);
                }
                if (onVersion && view.status().runsDesired()) {
                    done++;
                } else if (view.status() == HostStatus.PAUSED) {
                    paused.add(view);
                } else {
                    waiting.add(view);
                }
            }
            progress.accept(new Progress(remote, version, scope.size(), done, paused.size(), List.copyOf(waiting)));
            if (waiting.isEmpty()) {
                return new Done(version, List.copyOf(scope), List.copyOf(paused));
            }
            if (!clock.instant().isBefore(deadline)) {
                return new TimedOut(version, List.copyOf(waiting));
            }
            Duration left = Duration.between(clock.instant(), deadline);
            sleeper.sleep(left.compareTo(every) < 0 ? left : every);
        }
    }

    /** One line for a failed host: which, on what, and why. */
    public static String describe(Failed failed) {
        HostView host = failed.host();
        return host.host() + " " + host.status().label() + " on " + Sha256.shortForm(failed.version())
                + (host.detail() == null ? "" : ": " + host.detail());
    }
}
