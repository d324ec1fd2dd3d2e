package dev.npc.daemon.control;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private final List<Runnable> onRequest = new CopyOnWriteArrayList<>();

    public void request() {
        requested = true;
        onRequest.forEach(Runnable::run);
    }

    /** Runs {@code wake} when a stop is requested: what ends a wait that does not look for it. */
    public void onRequest(Runnable wake) {
        onRequest.add(wake);
        if (requested) {
            wake.run();
        }
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
