package dev.npc.daemon.reliability;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.remote.RemoteMetadata;
import dev.npc.remote.Sequence;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.RemoteSigner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Signs and tampers with remotes a {@link TestFleet} published, as npc push --sign-key and an attacker would. */
final class SignedFleet {
    private SignedFleet() { }

    /**
     * Signs the remote as it is now for its own name, at a new sequence (as npc push --sign-key
     * would publish it).
     */
    static void sign(TestFleet fleet, String remote, Path privateKey) throws IOException {
        ObjectInfo info = fleet.store.head(Layout.remote(remote)).orElseThrow();
        long sequence;
        try {
            sequence = Sequence.next(java.time.Clock.systemUTC(), remote, info);
        } catch (dev.npc.remote.RemoteException e) {
            throw new IllegalStateException(e);
        }
        RemoteMetadata signed = new RemoteSigner(KeyFiles.readSigningKey(privateKey))
                .sign(remote, RemoteMetadata.of(info).withSequence(sequence));
        Map<String, String> metadata = new HashMap<>(info.metadata());
        metadata.putAll(signed.toMap());
        fleet.store.put(Layout.remote(remote), bytes(fleet, remote), metadata);
    }

    /** Replaces the metadata entries of a remote, keeping its bytes. */
    static void setMetadata(TestFleet fleet, String remote, Map<String, String> changes) throws IOException {
        ObjectInfo info = fleet.store.head(Layout.remote(remote)).orElseThrow();
        Map<String, String> metadata = new HashMap<>(info.metadata());
        metadata.putAll(changes);
        fleet.store.put(Layout.remote(remote), bytes(fleet, remote), metadata);
    }

    static Map<String, String> metadata(TestFleet fleet, String remote) throws IOException {
        return fleet.store.head(Layout.remote(remote)).orElseThrow().metadata();
    }

    static byte[] bytes(TestFleet fleet, String remote) throws IOException {
        try (GetResult result = fleet.store.get(Layout.remote(remote), null)) {
            return ((GetResult.Found) result).body().readAllBytes();
        }
    }
}
