package dev.npc.cli.trust;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.remote.RemoteDownloader;
import dev.npc.remote.RemoteMetadata;
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
                "Downloads remote NAME, checks its bytes against its sha256 and its signature",
                "against the trusted keys.",
                "Exit 0 and the signing key's id when a host would accept it, 1 and the",
                "reason when a host would refuse it."},
        footerHeading = "%nExample:%n",
        footer = "  npc verify --remote prod --trusted-key ci.pub --store s3://my-fleet/npc")
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
            RemoteDownloader.Verified verified = new RemoteDownloader(store, new Unpacker(UnpackLimits.DEFAULT), verifier)
                    .download(remote, null, workDir);
            Files.deleteIfExists(verified.archive());
            String keyId = verifier.verify(remote, RemoteMetadata.of(verified.object()));
            console.println(remote + ": version " + Sha256.shortForm(verified.sha256()) + " signed by trusted key " + keyId);
            return 0;
        } finally {
            Files.deleteIfExists(workDir);
        }
    }
}
