package dev.npc.daemon.loop;

import dev.npc.files.OsFileLock;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.control.Waiter;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.stage.Activator;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** The loop of {@code npc-daemon follow}: recover, then poll, act, sleep with jitter, until told to stop. */
public final class FollowLoop {
    /**
     * {@code --once}: one poll; {@code --once=activate}: until one attempt ran, the host already
     * runs its desired version, or that version is built and waits for the maintenance window (a
     * fresh host waits here for desired.json to appear).
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
    private OsFileLock lock;
    private Sleeper sleeper;
    private Runnable reload = () -> { };
    private Supplier<HostState> state;
    private Activator activator;

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

    /**
     * Recovery takes the activation lock like every attempt: another process (install's first
     * activation, a follow --once) may be mid-attempt in the same state directory, and its phase in
     * state.json is then its own unfinished business, not a crash to recover from. When state.json
     * shows an unfinished phase ({@code state} is not idle) and another process holds the lock, this
     * daemon waits for the lock, then reads the state that process left ({@code reload}) and
     * recovers only what is still unfinished; with nothing unfinished it goes on polling (its
     * attempts take the lock too).
     */
    public FollowLoop withLock(OsFileLock lock, Sleeper sleeper, Runnable reload, Supplier<HostState> state) {
        this.lock = lock;
        this.sleeper = sleeper;
        this.reload = reload;
        this.state = state;
        return this;
    }

    /**
     * A daemon that died (or was restarted) mid-switch left the switch running in its transient
     * unit, owned by PID 1: recovery waits for it to end (at most as long as an attempt would)
     * before it checks or rolls back, so it never judges or reverts a system half switched.
     */
    public FollowLoop withSwitches(Activator activator) {
        this.activator = activator;
        return this;
    }

    /** @return the exit code: 0 ok (or stopped, or restarting into a new daemon), 1 failure */
    public int run(Mode mode) throws InterruptedException, IOException {
        try {
            if (!recoverUnderLock()) {
                return 0;
            }
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
                if (attempt != null && attempt.switched()) {
                    String reason = selfUpdate.reason(attempt.toplevel());
                    if (reason != null) {
                        log.info(reason + "; exiting so systemd starts npc-daemon as the new system says");
                        return 0;
                    }
                    if (selfUpdate.removedBy(attempt.toplevel())) {
                        log.warn("the new system has no " + SelfUpdate.UNIT + "; this daemon keeps running"
                                + " (X-StopOnRemoval=false) until it is stopped or the host reboots, and then npc"
                                + " no longer manages this host");
                    }
                }
                boolean settled = attempt != null || outcome.kind() == Cycle.Kind.UP_TO_DATE
                        || outcome.kind() == Cycle.Kind.WAITING;
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
        try (OsFileLock.Held held = lock == null ? null : lock.tryAcquire()) {
            if (lock != null && held == null) {
                return; // another process is activating: it, or the next start, records the attempt
            }
            recovery.recover();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot record the attempt that failed: " + e.getMessage() + "; the next start does", e);
        }
    }

    /** @return false when stopped while waiting for the lock */
    private boolean recoverUnderLock() throws InterruptedException, IOException {
        if (lock == null) {
            recovery.recover();
            return true;
        }
        OsFileLock.Held held = lock.tryAcquire();
        if (held == null && state.get().isIdle()) {
            return true;
        }
        if (held == null) {
            log.info("another npc-daemon holds the activation lock " + lock.file() + " and state.json shows an"
                    + " unfinished phase: waiting for its attempt to end before recovering");
            while (held == null) {
                if (stop.requested()) {
                    return false;
                }
                sleeper.sleep(LOCK_POLL);
                held = lock.tryAcquire();
            }
            reload.run();
        }
        try (OsFileLock.Held mine = held) {
            if (!awaitSwitchEnd()) {
                return false;
            }
            recovery.recover();
        }
        return true;
    }

    /** @return false when stopped while waiting */
    private boolean awaitSwitchEnd() throws InterruptedException {
        Phase left = state.get().phase();
        if (activator == null || !(left == Phase.ACTIVATING || left == Phase.ROLLING_BACK)
                || !activator.switchRunning()) {
            return true;
        }
        log.info("a switch is still running in " + Activator.SWITCH_SERVICE + "; waiting for it to end before"
                + " recovering (at most " + Durations.format(activator.switchLimit()) + ")");
        Duration waited = Duration.ZERO;
        while (waited.compareTo(activator.switchLimit()) < 0 && activator.switchRunning()) {
            if (stop.requested()) {
                return false;
            }
            sleeper.sleep(LOCK_POLL);
            waited = waited.plus(LOCK_POLL);
        }
        return true;
    }

    static final Duration LOCK_POLL = Duration.ofSeconds(1);

    /** The interval with jitter, so a fleet started together does not poll in step. */
    Duration nextWait() {
        double factor = 1 - jitter + 2 * jitter * random.nextDouble();
        return Duration.ofMillis(Math.max(1, Math.round(interval.toMillis() * factor)));
    }
}
