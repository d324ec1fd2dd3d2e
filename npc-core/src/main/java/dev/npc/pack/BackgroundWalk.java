package dev.npc.pack;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs a directory walk on its own thread and hands its entries over as they are found, so
 * listing and stat'ing the tree overlaps with reading and compressing it instead of preceding it.
 * An error in the walk (a refused symlink, an unreadable directory) is rethrown to the consumer
 * at the point where the walk failed.
 *
 * <p>Entries travel in batches: handing them over one by one would wake the other thread for
 * every file, and on a busy machine those wake-ups cost more than the walk itself.
 */
final class BackgroundWalk implements EntrySource {
    interface Producer {
        void run(Sink sink) throws IOException, PackException, InterruptedException;
    }

    interface Sink {
        void accept(PackEntry entry) throws InterruptedException;
    }

    private static final Object END = new Object();
    private static final int BATCH_SIZE = 256;
    /**
     * Batches the walk may run ahead; each entry of a batch may hold its directory open. Few and
     * small: the walk is faster than packing, so the queue is always full, and entries alive at a
     * collection are moved to the old generation of npc's small heap (bin/jvm.options); with 4 x 512
     * they filled it and a 20,000-file pack took 3-4 full collections (~10 ms each), with 2 x 256 none.
     */
    private static final int BATCHES_AHEAD = 2;

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES_AHEAD);
    private final Thread thread;
    private List<PackEntry> batch = List.of();
    private int next;
    private boolean ended;

    BackgroundWalk(Producer producer) {
        thread = new Thread(() -> {
            List<List<PackEntry>> pending = new ArrayList<>(1);
            pending.add(new ArrayList<>(BATCH_SIZE));
            Object last = END;
            try {
                producer.run(entry -> {
                    List<PackEntry> current = pending.get(0);
                    current.add(entry);
                    if (current.size() == BATCH_SIZE) {
                        queue.put(current); // interrupted: the batch is still pending, and released below
                        pending.set(0, new ArrayList<>(BATCH_SIZE));
                    }
                });
            } catch (InterruptedException e) {
                pending.get(0).forEach(PackEntry::release);
                return; // the consumer closed us; nobody is waiting for the rest
            } catch (IOException | PackException | RuntimeException | Error e) {
                last = e;
            }
            try {
                queue.put(pending.get(0));
                pending.set(0, List.of());
                queue.put(last);
            } catch (InterruptedException e) {
                pending.get(0).forEach(PackEntry::release); // closed by the consumer meanwhile
            }
        }, "npc-pack-walk");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public PackEntry next() throws IOException, PackException {
        while (next == batch.size()) {
            if (ended) {
                return null;
            }
            takeBatch();
        }
        return batch.get(next++);
    }

    @SuppressWarnings("unchecked")
    private void takeBatch() throws IOException, PackException {
        Object item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while listing files to pack");
        }
        if (item instanceof List<?> entries) {
            batch = (List<PackEntry>) entries;
            next = 0;
            return;
        }
        ended = true;
        batch = List.of();
        next = 0;
        if (item == END) {
            return;
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
        for (int i = next; i < batch.size(); i++) {
            batch.get(i).release();
        }
        batch = List.of();
        for (Object item = queue.poll(); item != null; item = queue.poll()) {
            if (item instanceof List<?> entries) {
                entries.forEach(entry -> ((PackEntry) entry).release());
            }
        }
    }
}
