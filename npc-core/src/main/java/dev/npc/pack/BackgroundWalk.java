package dev.npc.pack;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs a directory walk on its own thread and hands its entries over as they are found, so
 * listing and stat'ing the tree overlaps with reading and compressing it instead of preceding it.
 * An error in the walk (a refused symlink, an unreadable directory) is rethrown to the consumer
 * at the point where the walk failed.
 */
final class BackgroundWalk implements EntrySource {
    interface Producer {
        void run(Sink sink) throws IOException, PackException, InterruptedException;
    }

    interface Sink {
        void accept(PackEntry entry) throws InterruptedException;
    }

    private static final Object END = new Object();
    /** Enough to ride out a directory of thousands of files; entries are small. */
    private static final int QUEUE_SIZE = 4096;

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_SIZE);
    private final Thread thread;
    private boolean ended;

    BackgroundWalk(Producer producer) {
        thread = new Thread(() -> {
            Object last = END;
            try {
                producer.run(queue::put);
            } catch (InterruptedException e) {
                return; // the consumer closed us; nobody is waiting for the rest
            } catch (IOException | PackException | RuntimeException | Error e) {
                last = e;
            }
            try {
                queue.put(last);
            } catch (InterruptedException e) {
                // closed by the consumer meanwhile
            }
        }, "npc-pack-walk");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public PackEntry next() throws IOException, PackException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while listing files to pack");
        }
        if (item instanceof PackEntry entry) {
            return entry;
        }
        ended = true;
        if (item == END) {
            return null;
        }
        if (item instanceof PackException e) {
            throw new PackException(e.getMessage());
        }
        if (item instanceof IOException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (item instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) item;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // entries never taken still hold their directories open
        for (Object item = queue.poll(); item != null; item = queue.poll()) {
            if (item instanceof PackEntry entry) {
                entry.release();
            }
        }
    }
}
