package dev.npc.daemon.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waits on real file events, in real time: each wait below would last minutes (or hours) unless the
 * event ends it, and the futures' 60 s bounds only keep a broken build from hanging.
 */
class FlagWatchTest {
    @TempDir
    Path dir;

    @Test
    void aFileCreatedInTheDirectoryEndsAWaitOfAnHour() throws Exception {
        try (FlagWatch watch = FlagWatch.open(dir)) {
            CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(watch, Duration.ofHours(1)));
            Thread.sleep(200);
            Flags.raise(dir.resolve("trigger"));
            assertTrue(waited.get(60, TimeUnit.SECONDS), "woken, and the watch still works");
        }
    }

    @Test
    void closingEndsAWaitAndEveryLaterOne() throws Exception {
        FlagWatch watch = FlagWatch.open(dir);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(watch, Duration.ofHours(1)));
        Thread.sleep(200);
        watch.close();
        assertFalse(waited.get(60, TimeUnit.SECONDS), "closed: look at the files instead");
        assertFalse(watch.await(Duration.ofHours(1)), "at once, every time after");
    }

    @Test
    void aRemovedDirectoryEndsTheWatch() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        try (FlagWatch watch = FlagWatch.open(state)) {
            CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(watch, Duration.ofHours(1)));
            Thread.sleep(200);
            Files.delete(state);
            assertFalse(waited.get(60, TimeUnit.SECONDS), "no directory left to watch");
        }
        assertNull(FlagWatch.open(dir.resolve("missing")), "nothing to watch: the caller looks in slices");
    }

    /** The waiter's side: a trigger during a long wait wakes it, a stop's request ends the wait. */
    @Test
    void aWatchingWaiterWakesForATriggerAndForAStop() throws Exception {
        Path trigger = dir.resolve("trigger");
        Path retry = dir.resolve("retry");
        StopSignal stop = new StopSignal();
        Waiter waiter = new Waiter(duration -> {
            throw new AssertionError("a watching waiter does not sleep in slices");
        }, Clock.systemUTC(), stop, trigger, retry, true);

        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> await(waiter, Duration.ofHours(1)));
        Thread.sleep(200);
        Flags.raise(retry);
        assertTrue(woken.get(60, TimeUnit.SECONDS), "woken by the retry request");
        Flags.consume(retry);

        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> await(waiter, Duration.ofHours(1)));
        Thread.sleep(200);
        stop.request();
        assertFalse(stopped.get(60, TimeUnit.SECONDS), "a stop ends the wait, not a trigger");
        assertEquals(false, waiter.await(Duration.ofHours(1)), "stopped: no more waiting");
    }

    private static boolean await(FlagWatch watch, Duration max) {
        try {
            return watch.await(max);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean await(Waiter waiter, Duration max) {
        try {
            return waiter.await(max);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
