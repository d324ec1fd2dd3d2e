package dev.npc.daemon.control;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One activation at a time on a host, also across processes: {@code install}, {@code follow}
 * attempts and recovery at start all take it, so no process acts on another's unfinished phase.
 * An OS file lock the kernel releases even after kill -9.
 */
public final class ActivationLock {
    private final Path file;

    public ActivationLock(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The held lock, or null when another activation holds it. */
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
