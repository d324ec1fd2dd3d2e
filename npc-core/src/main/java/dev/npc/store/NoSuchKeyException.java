package dev.npc.store;

/** The object an operation needs does not exist. */
public final class NoSuchKeyException extends StoreException {
    public NoSuchKeyException(String message) {
        super(message);
    }
}
