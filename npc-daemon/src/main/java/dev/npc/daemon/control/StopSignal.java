package dev.npc.daemon.control;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM handling: the shutdown hook asks the loop to stop and waits until it reached a safe
 * point (between steps, or after the step in progress), so no file is ever half written and no
 * switch is cut in half.
 */
public final class StopSignal {
    private volatile boolean requested;
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void request() {
        requested = true;
    }

    public boolean requested() {
        return requested;
    }

    /** Called by the loop when it has stopped. */
    public void stopped() {
        stopped.countDown();
    }

    /** Called by the shutdown hook; returns when the loop stopped or {@code seconds} passed. */
    public boolean awaitStopped(long seconds) throws InterruptedException {
        return stopped.await(seconds, TimeUnit.SECONDS);
    }
}
