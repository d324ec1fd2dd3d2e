package dev.npc.daemon.loop;

import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.control.Waiter;
import dev.npc.daemon.report.EventLog;

import java.io.IOException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/** The loop of {@code npc-daemon follow}: recover, then poll, act, sleep with jitter, until told to stop. */
public final class FollowLoop {
    /**
     * {@code --once}: one poll; {@code --once=activate}: until one attempt ran or the host already
     * runs its desired version (a fresh host waits here for desired.json to appear).
     */
    public enum Mode { FOREVER, ONCE, UNTIL_ACTIVATED }

    private final Recovery recovery;
    private final Cycle cycle;
    private final Waiter waiter;
    private final SelfUpdate selfUpdate;
    private final StopSignal stop;
    private final Duration interval;
    private final double jitter;
    private final RandomGenerator random;
    private final EventLog log;

    public FollowLoop(Recovery recovery, Cycle cycle, Waiter waiter, SelfUpdate selfUpdate, StopSignal stop,
                      Duration interval, double jitter, RandomGenerator random, EventLog log) {
        this.recovery = recovery;
        this.cycle = cycle;
        this.waiter = waiter;
        this.selfUpdate = selfUpdate;
        this.stop = stop;
        this.interval = interval;
        this.jitter = jitter;
        this.random = random;
        this.log = log;
    }

    /** @return the exit code: 0 ok (or stopped, or restarting into a new daemon), 1 failure */
    public int run(Mode mode) throws InterruptedException, IOException {
        try {
            recovery.recover();
            while (true) {
                Cycle.Outcome outcome;
                try {
                    outcome = cycle.run();
                } catch (IOException | RuntimeException e) {
                    if (mode != Mode.FOREVER) {
                        throw e;
                    }
                    // A full disk or a bug in one poll must not end a daemon that nobody watches.
                    log.warn("poll failed: " + e.getMessage() + "; trying again at the next poll", e);
                    outcome = new Cycle.Outcome(Cycle.Kind.ERROR, null);
                    // An attempt it ended is charged to its version now, as a restart would.
                    recoverQuietly();
                }
                Deployment.Outcome attempt = outcome.attempt();
                if (attempt != null && attempt.switched() && selfUpdate.changedBy(attempt.toplevel())) {
                    log.info("the new system brings a different npc-daemon; exiting so systemd starts it");
                    return 0;
                }
                boolean settled = attempt != null || outcome.kind() == Cycle.Kind.UP_TO_DATE;
                if (mode == Mode.ONCE || (mode == Mode.UNTIL_ACTIVATED && settled)) {
                    return outcome.ok() ? 0 : 1;
                }
                if (stop.requested()) {
                    return 0;
                }
                if (waiter.await(nextWait())) {
                    log.info("woken by a trigger");
                }
                if (stop.requested()) {
                    return 0;
                }
            }
        } finally {
            stop.stopped();
        }
    }

    private void recoverQuietly() {
        try {
            recovery.recover();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot record the attempt that failed: " + e.getMessage() + "; the next start does", e);
        }
    }

    /** The interval with jitter, so a fleet started together does not poll in step. */
    Duration nextWait() {
        double factor = 1 - jitter + 2 * jitter * random.nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }
}
