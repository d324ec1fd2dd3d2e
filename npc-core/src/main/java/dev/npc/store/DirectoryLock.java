package dev.npc.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock that makes a file store's data file and sidecar change together: writers hold it
 * exclusively, readers shared, across processes (an OS file lock) and across threads of this JVM
 * (a mutex, because the JVM refuses two overlapping file locks of its own).
 */
final class DirectoryLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path lockFile;

    DirectoryLock(Path lockFile) {
        this.lockFile = lockFile.toAbsolutePath().normalize();
    }

    /** For changes: creates the lock file when needed. */
    Held exclusive() throws IOException {
        Files.createDirectories(lockFile.getParent());
        ReentrantLock mutex = mutexFor(lockFile);
        mutex.lock();
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new Held(mutex, channel, lockOrClose(channel, false));
        } catch (IOException | RuntimeException e) {
            mutex.unlock();
            throw e;
        }
    }

    /**
     * For reads. Without a lock file nothing was ever written through a file store here, so
     * there is no change to wait for; a read-only store directory stays readable.
     */
    Held shared() throws IOException {
        if (!Files.exists(lockFile)) {
            return new Held(null, null, null);
        }
        ReentrantLock mutex = mutexFor(lockFile);
        mutex.lock();
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ);
            return new Held(mutex, channel, lockOrClose(channel, true));
        } catch (IOException | RuntimeException e) {
            mutex.unlock();
            throw e;
        }
    }

    /** One mutex per real file, however the directory was spelled (symbolic links, '..'). */
    private static ReentrantLock mutexFor(Path existingFileOrItsDirectory) throws IOException {
        Path real = Files.exists(existingFileOrItsDirectory)
                ? existingFileOrItsDirectory.toRealPath()
                : existingFileOrItsDirectory.getParent().toRealPath().resolve(existingFileOrItsDirectory.getFileName());
        return IN_PROCESS.computeIfAbsent(real, path -> new ReentrantLock());
    }

    private static FileLock lockOrClose(FileChannel channel, boolean shared) throws IOException {
        try {
            return channel.lock(0, Long.MAX_VALUE, shared);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A held lock; closing releases it. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock mutex;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock mutex, FileChannel channel, FileLock lock) {
            this.mutex = mutex;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() throws IOException {
            try {
                if (lock != null) {
                    lock.release();
                }
            } finally {
                try {
                    if (channel != null) {
                        channel.close();
                    }
                } finally {
                    if (mutex != null) {
                        mutex.unlock();
                    }
                }
            }
        }
    }
}
