package dev.npc.remote;

/** A remote cannot be used as asked; the message names the remote and the fix. */
public final class RemoteException extends Exception {
    public RemoteException(String message) {
        super(message);
    }
}
