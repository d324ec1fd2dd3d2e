package dev.npc.store;

import java.io.IOException;

/** A store operation failed; the message is one line a person can act on. */
public class StoreException extends IOException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
