package dev.npc.cli.trust;

import dev.npc.remote.Signing;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.RemoteSigner;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * --sign-key and --unsigned, shared by every command that publishes a remote (push, promote,
 * rollout, rollback). A signature covers one remote name and one publish sequence, so each
 * publish signs anew; without a key, a publish that would turn a signed remote unsigned is
 * refused unless --unsigned says so.
 */
public final class SigningMixin {
    @Option(names = "--sign-key", paramLabel = "FILE",
            description = "Sign what is published, for its remote name and new sequence, with this private key"
                    + " (from npc keys generate); hosts with trusted keys require it.")
    Path signKey;

    @Option(names = "--unsigned",
            description = "Publish unsigned even where a signed remote is replaced or copied (hosts with trusted"
                    + " keys will refuse it).")
    boolean unsigned;

    public Signing signing() throws IOException {
        if (signKey != null && unsigned) {
            throw new IllegalArgumentException("--sign-key and --unsigned contradict each other; give one");
        }
        if (unsigned) {
            return Signing.UNSIGNED;
        }
        return signKey == null ? Signing.NONE : Signing.with(new RemoteSigner(KeyFiles.readSigningKey(signKey)));
    }
}
