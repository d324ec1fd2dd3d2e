package dev.npc.daemon.control;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a file to be created in the directory of the request files (the state directory),
 * through the kernel's file events (inotify, behind the JDK's {@link WatchService}): a daemon
 * waiting a minute between polls then wakes when asked to, instead of once a second to look for
 * the files. Measured on the 2-core VM of bench/README.md, those looks were most of what an idle
 * daemon cost at the default interval: a JVM that wakes once a second to check two files took
 * 66 ms of CPU a minute, one that sleeps the minute through 14 ms.
 */
public final class FlagWatch implements AutoCloseable {
    private final WatchService service;
    private volatile boolean broken;

    private FlagWatch(WatchService service) {
        this.service = service;
    }

    /**
     * A watch of {@code dir}, or null when its file system offers none (or no more: inotify's
     * per-user limits); the caller then looks for the files now and then instead.
     */
    public static FlagWatch open(Path dir) {
        WatchService service = null;
        try {
            service = dir.getFileSystem().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE);
            return new FlagWatch(service);
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(service);
            return null;
        }
    }

    /**
     * Returns when a file was created in the directory (any file: the caller looks at the ones it
     * wants, which costs less than telling events apart), when events may have been lost (the
     * kernel's queue overflowed, which is an event too), or when {@code max} passed.
     *
     * @return false, at once, when the watch no longer works (closed, or its directory removed):
     *         the caller looks at the files now and then instead
     */
    public boolean await(Duration max) throws InterruptedException {
        if (broken) {
            return false;
        }
        WatchKey signalled;
        try {
            signalled = service.poll(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
        } catch (ClosedWatchServiceException e) {
            broken = true;
            return false;
        }
        if (signalled != null) {
            signalled.pollEvents();
            if (!signalled.reset()) {
                broken = true;
                return false;
            }
        }
        return true;
    }

    /** Ends the watch: a wait in progress returns at once, and every later one. */
    @Override
    public void close() {
        broken = true;
        closeQuietly(service);
    }

    private static void closeQuietly(WatchService service) {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                // nothing is left to wait for
            }
        }
    }
}
