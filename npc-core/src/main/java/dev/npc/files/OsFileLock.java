package dev.npc.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS file lock on one file. The kernel releases it when its process ends, even after kill -9,
 * so a crashed process never looks alive and never blocks the next one. The daemon's state
 * directory has two: the activation lock ({@code lock}: one activation at a time on a host, taken by
 * {@code install}, {@code follow} attempts and recovery at start, so no process acts on another's
 * unfinished phase), and {@code running.lock}, held by {@code follow} for as long as it runs, so
 * {@code trigger} and {@code retry} can tell whether anyone will see their request (a waiting daemon
 * holds no activation lock). npc watch holds one beside its state file, so two watchers never
 * send every event twice.
 */
public final class OsFileLock {
    private final Path file;

    public OsFileLock(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The held lock, or null when another process (or this one) holds it already. */
    public Held tryAcquire() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                return null;
            }
            return new Held(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        }
    }

    /**
     * Whether a process holds the lock now. Asks for a shared lock, so reading the file is enough:
     * whoever may raise a flag in the state directory can ask.
     */
    public boolean isHeld() throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this very process (tests run the daemon in-process)
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    public static final class Held implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        Held(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
