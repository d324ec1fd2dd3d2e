package dev.npc.daemon.control;

import dev.npc.time.Sleeper;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Sleeps between polls, in short slices, and wakes early when a trigger, a retry request or a
 * stop arrives. Checking a file once a second costs nothing and needs no open port.
 */
public final class Waiter {
    static final Duration SLICE = Duration.ofSeconds(1);

    private final Sleeper sleeper;
    private final Clock clock;
    private final StopSignal stop;
    private final Path trigger;
    private final Path retry;

    public Waiter(Sleeper sleeper, Clock clock, StopSignal stop, Path trigger, Path retry) {
        this.sleeper = sleeper;
        this.clock = clock;
        this.stop = stop;
        this.trigger = trigger;
        this.retry = retry;
    }

    /** @return true when woken by a trigger, false when the time ran out or a stop was requested */
    public boolean await(Duration duration) throws InterruptedException {
        Instant end = clock.instant().plus(duration);
        while (!stop.requested()) {
            if (Flags.isRaised(trigger) || Flags.isRaised(retry)) {
                return true;
            }
            Duration left = Duration.between(clock.instant(), end);
            if (left.isZero() || left.isNegative()) {
                return false;
            }
            sleeper.sleep(left.compareTo(SLICE) < 0 ? left : SLICE);
        }
        return false;
    }
}
