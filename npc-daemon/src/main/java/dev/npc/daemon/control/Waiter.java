package dev.npc.daemon.control;

import dev.npc.time.Sleeper;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Sleeps between polls and wakes early when a trigger, a retry request or a stop arrives. With a
 * {@link FlagWatch} the wait ends when a file appears (a stop closes the watch), so an idle daemon
 * does not wake at all between polls; without one (no file events, or a test's sleeper) it sleeps
 * in short slices and looks for the files after each, which needs no open port either.
 */
public final class Waiter {
    static final Duration SLICE = Duration.ofSeconds(1);
    /** With a watch, the files are still looked at this often: a lost event costs at most this. */
    static final Duration WATCHED_SLICE = Duration.ofMinutes(5);

    private final Sleeper sleeper;
    private final Clock clock;
    private final StopSignal stop;
    private final Path trigger;
    private final Path retry;
    private final boolean watchFiles;
    private FlagWatch watch;

    /** Looks for the files once a {@link #SLICE}. */
    public Waiter(Sleeper sleeper, Clock clock, StopSignal stop, Path trigger, Path retry) {
        this(sleeper, clock, stop, trigger, retry, false);
    }

    /**
     * @param watchFiles wait on file events of the directory of {@code trigger} and {@code retry}
     *                   (opened at the first wait, so a single poll never sets it up) where the
     *                   file system has them; a stop's request ends such a wait
     */
    public Waiter(Sleeper sleeper, Clock clock, StopSignal stop, Path trigger, Path retry, boolean watchFiles) {
        this.sleeper = sleeper;
        this.clock = clock;
        this.stop = stop;
        this.trigger = trigger;
        this.retry = retry;
        this.watchFiles = watchFiles;
    }

    /** @return true when woken by a trigger, false when the time ran out or a stop was requested */
    public boolean await(Duration duration) throws InterruptedException {
        Instant end = clock.instant().plus(duration);
        if (watchFiles && watch == null) {
            watch = FlagWatch.open(trigger.toAbsolutePath().getParent());
            if (watch != null) {
                stop.onRequest(watch::close);
            }
        }
        boolean watching = watch != null;
        while (!stop.requested()) {
            if (Flags.isRaised(trigger) || Flags.isRaised(retry)) {
                return true;
            }
            Duration left = Duration.between(clock.instant(), end);
            if (left.isZero() || left.isNegative()) {
                return false;
            }
            if (watching) {
                // false: closed by a stop (seen above), or no longer working: look in slices then
                watching = watch.await(left.compareTo(WATCHED_SLICE) < 0 ? left : WATCHED_SLICE);
            } else {
                sleeper.sleep(left.compareTo(SLICE) < 0 ? left : SLICE);
            }
        }
        return false;
    }
}
