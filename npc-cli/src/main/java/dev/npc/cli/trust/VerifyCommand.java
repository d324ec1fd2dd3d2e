package dev.npc.cli.trust;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.remote.RemoteDownloader;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteName;
import dev.npc.store.Store;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.RemoteVerifier;
import dev.npc.trust.TrustedKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a remote's signature as a host trusting these keys would.",
                "",
                "Downloads remote NAME and checks its bytes against its sha256 and its signature against the"
                        + " trusted keys: the signature must cover the name NAME, the sha256 and the publish"
                        + " sequence.",
                "",
                "Exit 0 with the sequence and the signing key's id when a host would accept it (a host also"
                        + " refuses a sequence lower than one it accepted), 1 and the reason when a host would"
                        + " refuse it."},
        footerHeading = "%nExample:%n",
        footer = "  npc verify --remote prod --trusted-key ci-signing.pub")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    StoreMixin storeOptions;

    @Option(names = "--remote", paramLabel = "NAME", required = true, description = "Remote to check.")
    String remote;

    @Option(names = "--trusted-key", paramLabel = "KEY", required = true,
            description = "Public key file (or its npc-ed25519-public:... line) to accept; repeatable.")
    List<String> trustedKeys = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        List<TrustedKey> keys = new ArrayList<>();
        for (String key : trustedKeys) {
            keys.add(KeyFiles.readTrustedKey(key));
        }
        RemoteVerifier verifier = new RemoteVerifier(keys);
        Path workDir = Files.createTempDirectory("npc-verify-");
        try (Store store = storeOptions.open()) {
            RemoteDownloader.Downloaded downloaded;
            try {
                downloaded = new RemoteDownloader(new Unpacker(UnpackLimits.DEFAULT), verifier).fetch(store, remote, workDir);
            } catch (RemoteDownloader.Failure e) {
                throw new RemoteException(e.getMessage());
            }
            Files.deleteIfExists(downloaded.archive());
            RemoteDownloader.Checked checked = downloaded.checked();
            console.println(remote + ": version " + Sha256.shortForm(checked.sha256()) + ", sequence " + checked.sequence()
                    + published(checked.sequence()) + ", signed for '" + remote + "' by trusted key " + checked.keyId());
            return 0;
        } finally {
            Files.deleteIfExists(workDir);
        }
    }

    /** Sequences are publish times in epoch milliseconds unless a clock was behind: show the time when it reads as one. */
    private static String published(long sequence) {
        java.time.Instant at = java.time.Instant.ofEpochMilli(sequence);
        return at.isAfter(java.time.Instant.parse("2020-01-01T00:00:00Z")) && at.isBefore(java.time.Instant.parse("2200-01-01T00:00:00Z"))
                ? " (published " + at + ")" : "";
    }
}
