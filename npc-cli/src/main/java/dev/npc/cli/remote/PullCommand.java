package dev.npc.cli.remote;

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
import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download remote NAME, verify it and unpack it into a new directory.",
                "",
                "The bytes are checked against the remote's sha256 and, with --trusted-key, its signature for"
                        + " NAME. The directory appears whole or not at all."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc pull --remote prod --dst /tmp/prod --store s3://my-fleet/npc",
                "  npc pull --remote prod --dst /tmp/prod --trusted-key ci-signing.pub"})
public final class PullCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    StoreMixin storeOptions;

    @Option(names = "--remote", paramLabel = "NAME", required = true, description = "Remote to download.")
    String remote;

    @Option(names = "--dst", paramLabel = "DIR", required = true, description = "Directory to create (must not exist).")
    Path dst;

    @Option(names = "--trusted-key", paramLabel = "KEY",
            description = "Accept the remote only if signed by this public key (file or npc-ed25519-public:... line); repeatable.")
    java.util.List<String> trustedKeys = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        java.util.List<TrustedKey> keys = new java.util.ArrayList<>();
        for (String key : trustedKeys) {
            keys.add(KeyFiles.readTrustedKey(key));
        }
        Path target = dst.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists; pass a new directory to --dst");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        try (Store store = storeOptions.open()) {
            RemoteDownloader downloader = new RemoteDownloader(new Unpacker(UnpackLimits.DEFAULT), new RemoteVerifier(keys));
            RemoteDownloader.Downloaded downloaded;
            int files;
            try {
                downloaded = downloader.fetch(store, remote, parent);
                files = downloader.unpack(downloaded, target);
            } catch (RemoteDownloader.Failure e) {
                throw new RemoteException(e.getMessage());
            }
            console.println("pulled " + remote + ": version " + Sha256.shortForm(downloaded.checked().sha256()) + ", "
                    + files + " files -> " + target);
            return 0;
        }
    }
}
