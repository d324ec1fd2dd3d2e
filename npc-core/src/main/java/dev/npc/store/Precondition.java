package dev.npc.store;

/**
 * A conditional write: unconditional, only if no object exists yet ({@code If-None-Match: *}),
 * or only if the current ETag matches ({@code If-Match}).
 */
public record Precondition(String ifMatch, boolean ifNoneMatchAny) {
    public static final Precondition NONE = new Precondition(null, false);

    public static Precondition mustNotExist() {
        return new Precondition(null, true);
    }

    public static Precondition mustMatch(String etag) {
        return new Precondition(etag, false);
    }

    /** Whether the write depends on what the store holds (a refusal is then an answer, not an error). */
    public boolean isConditional() {
        return ifMatch != null || ifNoneMatchAny;
    }
}
