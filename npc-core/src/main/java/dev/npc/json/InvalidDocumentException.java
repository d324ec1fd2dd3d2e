package dev.npc.json;

/** A JSON document (from the bucket, a file or a flag) cannot be used; the message says why. */
public final class InvalidDocumentException extends Exception {
    public InvalidDocumentException(String message) {
        super(message);
    }
}
