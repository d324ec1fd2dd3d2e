package dev.npc.time;

import java.time.Duration;

/** The one seam for waiting, so loops that poll every minute can be tested in milliseconds. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = duration -> Thread.sleep(Math.max(0, duration.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
