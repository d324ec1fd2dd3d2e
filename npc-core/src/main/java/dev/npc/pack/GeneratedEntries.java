package dev.npc.pack;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The flake's entries with the files npc generates ({@value Prebuilt#DIRECTORY}/) merged in at
 * their place in archive order, so the archive stays sorted and deterministic. The flake itself
 * may not hold {@value Prebuilt#DIRECTORY}: a host would take a file there for one npc wrote.
 */
final class GeneratedEntries implements EntrySource {
    private final EntrySource flake;
    private final Deque<PackEntry> generated = new ArrayDeque<>();
    private PackEntry pending;
    private boolean flakeDone;

    private GeneratedEntries(EntrySource flake) {
        this.flake = flake;
    }

    static EntrySource of(EntrySource flake, PackOptions options) {
        GeneratedEntries merged = new GeneratedEntries(flake);
        if (!options.prebuilt().isEmpty()) {
            merged.generated.add(PackEntry.directory(Prebuilt.DIRECTORY));
            merged.generated.add(PackEntry.generated(Prebuilt.PATH, Prebuilt.render(options.prebuilt())));
        }
        return merged;
    }

    @Override
    public PackEntry next() throws java.io.IOException, PackException {
        if (pending == null && !flakeDone) {
            pending = flake.next();
            flakeDone = pending == null;
            if (pending != null && (pending.name().equals(Prebuilt.DIRECTORY)
                    || pending.name().startsWith(Prebuilt.DIRECTORY + "/"))) {
                String name = pending.name();
                pending.release();
                pending = null;
                throw new PackException(name + ": the directory " + Prebuilt.DIRECTORY + "/ is reserved for files npc"
                        + " writes into the archive (" + Prebuilt.PATH + "); rename it");
            }
        }
        if (!generated.isEmpty() && (pending == null
                || FlakeFiles.PATH_ORDER.compare(generated.peek().name(), pending.name()) < 0)) {
            return generated.poll();
        }
        PackEntry next = pending;
        pending = null;
        return next;
    }

    @Override
    public void close() {
        if (pending != null) {
            pending.release();
        }
        flake.close();
    }
}
