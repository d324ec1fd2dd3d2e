package dev.npc.watch;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter between tries of one destination: 1 s, 2 s, 4 s... up to 5 min,
 * each a random point in the upper half of its step, so many watchers behind one outage do not
 * retry in step. The wait never grows past the cap: a receiver back after an hour hears within
 * five minutes.
 */
public final class Backoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(5);

    private final RandomGenerator random;

    public Backoff(RandomGenerator random) {
        this.random = random;
    }

    /** The wait after the {@code attempts}-th failed try (1 for the first). */
    public Duration after(int attempts) {
        long step = FIRST.toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(step, MAX.toMillis());
        return Duration.ofMillis(capped / 2 + random.nextLong(capped / 2 + 1));
    }

    /** A wait the destination asked for, bounded as our own. */
    static Duration bounded(Duration asked) {
        if (asked.compareTo(FIRST) < 0) {
            return FIRST;
        }
        return asked.compareTo(MAX) > 0 ? MAX : asked;
    }
}
