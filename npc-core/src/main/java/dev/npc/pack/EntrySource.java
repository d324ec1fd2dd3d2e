package dev.npc.pack;

import java.io.IOException;

/** Archive entries in archive order, produced while they are consumed. */
interface EntrySource extends AutoCloseable {
    /** The next entry, or null after the last. */
    PackEntry next() throws IOException, PackException;

    /** Stops producing; entries not taken are dropped. */
    @Override
    void close();
}
