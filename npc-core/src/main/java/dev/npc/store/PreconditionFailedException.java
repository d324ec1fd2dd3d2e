package dev.npc.store;

/** A conditional write or copy was refused because the object changed (or exists). */
public final class PreconditionFailedException extends StoreException {
    public PreconditionFailedException(String message) {
        super(message);
    }
}
