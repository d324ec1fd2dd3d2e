package dev.npc.store;

/**
 * What a store's cheap look at an object ({@link Store#probe}) says of an ETag from an earlier
 * read. Never a source of content: after {@link #CHANGED} the caller still reads the object with
 * that ETag as If-None-Match, which answers 304 if it changed back in between.
 */
public enum EtagProbe {
    /** The object exists and has exactly that ETag. */
    UNCHANGED,
    /** The object exists and has another ETag, present and within its bound. */
    CHANGED,
    /**
     * Anything else (missing, refused, unreachable, an answer out of the ordinary, or no cheap way
     * to ask): the caller asks with {@link Store#head} or {@link Store#get}, which say what is wrong.
     */
    CANNOT_TELL
}
