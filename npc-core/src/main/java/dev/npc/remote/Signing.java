package dev.npc.remote;

import dev.npc.store.ObjectInfo;
import dev.npc.trust.RemoteSigner;

/**
 * How a publish (push, promote, rollout wave, rollback) signs what it writes. A signature covers
 * the remote's name and its publish sequence, and every publish writes a new sequence, so a
 * signature never carries over: the object is signed anew for its destination, or it is not
 * signed at all.
 *
 * <p>Without a key, a publish refuses to write an unsigned object where a signed one was, or to
 * copy a signed one: hosts that trust keys would refuse the result (its old signature is for
 * another name or an older sequence), and the rollout would stall with nothing but errors on the
 * hosts. {@code --unsigned} says that is what is wanted.
 *
 * @param signer   signs for the destination, or null
 * @param unsigned publish unsigned even where signed objects were involved
 */
public record Signing(RemoteSigner signer, boolean unsigned) {
    /** No key, and no permission to drop a signature: the default of every command. */
    public static final Signing NONE = new Signing(null, false);
    public static final Signing UNSIGNED = new Signing(null, true);

    public Signing {
        if (signer != null && unsigned) {
            throw new IllegalArgumentException("--sign-key and --unsigned contradict each other; give one");
        }
    }

    public static Signing with(RemoteSigner signer) {
        return signer == null ? NONE : new Signing(signer, false);
    }

    /** {@code metadata} at {@code sequence}, signed for {@code remote}, or with no signature at all. */
    public RemoteMetadata apply(String remote, RemoteMetadata metadata, long sequence) {
        RemoteMetadata sequenced = metadata.withSequence(sequence);
        return signer == null ? sequenced.withSignature(null, null) : signer.sign(remote, sequenced);
    }

    /**
     * Whether {@code existing}, already holding the wanted version, needs no new publish: always
     * without a key (an existing signature does no harm), with one only when it carries that key's
     * signature for this remote at its own sequence.
     */
    public boolean satisfiedBy(String remote, ObjectInfo existing) {
        return signer == null || signer.signed(remote, RemoteMetadata.of(existing));
    }

    /**
     * Refuses to publish {@code remote} unsigned when any of {@code involved} (the object replaced,
     * the one copied) is signed, unless {@code --unsigned}.
     *
     * @param command the command, for the fix: "npc promote staging prod"
     */
    public void checkUnsigning(String remote, String command, ObjectInfo... involved) throws RemoteException {
        if (signer != null || unsigned) {
            return;
        }
        for (ObjectInfo object : involved) {
            if (object != null && RemoteMetadata.of(object).signed()) {
                String name = dev.npc.store.Layout.remoteNameOf(object.key());
                throw new RemoteException("not published: " + (name != null ? "remote '" + name + "'"
                        : "the version in " + object.key()) + " is signed, and without --sign-key '" + remote
                        + "' would be written unsigned, which hosts that trust keys refuse (a signature covers one"
                        + " remote name and one publish sequence, so it never carries over); run " + command
                        + " --sign-key KEY, or add --unsigned to publish it unsigned");
            }
        }
    }
}
