package dev.npc.store;

/**
 * The server's answer about a write or copy disagrees with what npc sent or asked for: the object
 * may now hold other bytes than intended, so nothing built on it may be reported as done. Or a
 * read's body is not what its answer vouched for ({@link GetResult.Found}): it was damaged on the
 * way, so nothing may be taken from it, and it is read again.
 */
public final class IntegrityException extends StoreException {
    private final String key;
    private final ObjectInfo answered;

    public IntegrityException(String message, String key, ObjectInfo answered) {
        super(message);
        this.key = key;
        this.answered = answered;
    }

    /** The key the write or copy went to, or that was read. */
    public String key() {
        return key;
    }

    /** What the server said it stored, or sent (null when it said nothing usable). */
    public ObjectInfo answered() {
        return answered;
    }
}
