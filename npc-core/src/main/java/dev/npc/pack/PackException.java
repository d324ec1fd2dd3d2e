package dev.npc.pack;

/** A flake directory cannot be packed, or an archive cannot be unpacked; one line naming the cause and fix. */
public final class PackException extends Exception {
    public PackException(String message) {
        super(message);
    }
}
