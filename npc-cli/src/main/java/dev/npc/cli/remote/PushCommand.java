package dev.npc.cli.remote;

import dev.npc.cli.support.ProgressInputStream;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Terminal;
import dev.npc.digest.Sha256;
import dev.npc.json.Json;
import dev.npc.pack.PackResult;
import dev.npc.remote.RemoteMetadata;
import dev.npc.remote.RemoteName;
import dev.npc.remote.RemotePublisher;
import dev.npc.store.Store;
import dev.npc.store.StoreLocation;
import dev.npc.cli.trust.SigningMixin;
import dev.npc.pack.Prebuilt;
import dev.npc.remote.Signing;
import dev.npc.text.SafeText;
import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.UnaryOperator;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Pack a flake and upload it as remote NAME (remotes/NAME.npc).",
                "",
                "If the remote already holds the same version nothing is uploaded and it says 'unchanged': the"
                        + " ETag stays, so no host rebuilds. That needs the store to vouch that its bytes are this"
                        + " archive (MD5-ETag or sha256 checksum); a remote whose stored bytes differ is uploaded"
                        + " again and the command says it repaired it.",
                "",
                "Every upload is verified: the server checks Content-MD5 and x-amz-checksum-sha256, and npc"
                        + " compares its answer; if it did not keep what was sent, the remote gets its previous"
                        + " version back and push fails.",
                "",
                "Every upload gets a new publish sequence. With --sign-key the version is signed for NAME and"
                        + " that sequence; promote, rollout and rollback sign again for where they publish (give"
                        + " them --sign-key too).",
                "",
                "The archive's .npc/prebuilt.json holds the toplevels built elsewhere that --prebuilt"
                        + " CONFIG=PATH names, so its signature covers them: hosts of that configuration realise"
                        + " PATH instead of evaluating."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc push --src . --remote staging --store s3://my-fleet/npc",
                "  npc push --src . --remote staging --sign-key ci-signing.key",
                "  toplevel=$(nix build --print-out-paths \\",
                "      .#nixosConfigurations.web-1.config.system.build.toplevel)",
                "  npc push --remote prod --sign-key ci-signing.key --prebuilt web-1=$toplevel",
                "  NPC_STORE=file:///srv/npc npc push --src . --remote prod"})
public final class PushCommand implements Callable<Integer> {
    @Mixin
    Console console;

    private static final long PROGRESS_THRESHOLD = 4L << 20;

    @Mixin
    StoreMixin storeOptions;

    @Mixin
    FlakeSourceMixin source;

    @Option(names = "--remote", paramLabel = "NAME", required = true, description = "Remote to publish to.")
    String remote;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    SigningMixin signingOptions;

    @Option(names = "--prebuilt", paramLabel = "CONFIG=PATH",
            description = "A toplevel built elsewhere for configuration CONFIG, /nix/store/...; written into the archive"
                    + " so hosts realise it instead of evaluating (repeatable).")
    List<String> prebuilt = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        Signing signing = signingOptions.signing();
        SortedMap<String, String> toplevels = Prebuilt.parseArguments(prebuilt);
        // Building the store's client (the AWS SDK's, hundreds of milliseconds) needs nothing from
        // the archive: it runs while the flake is packed. The location is read here, so a bad
        // --store or NPC_STORE is still reported before anything is packed.
        StoreLocation location = storeOptions.location();
        Path archive = Files.createTempFile("npc-push-", ".npc");
        FutureTask<Store> opening = new FutureTask<>(() -> storeOptions.openAt(location));
        Thread opener = new Thread(opening, "npc-store-open");
        opener.setDaemon(true);
        opener.start();
        try {
            PackResult pack;
            try {
                pack = source.packInto(archive, toplevels);
            } catch (Exception | Error e) {
                // a store that cannot be opened is the first problem, as when it was opened first
                opened(opening).close();
                throw e;
            }
            try (Store store = opened(opening)) {
                RemotePublisher.Published published = new RemotePublisher(store, java.time.Clock.systemUTC())
                        .publish(remote, archive, pack, signing, progress(pack.bytes()));
                print(pack, published, toplevels);
                return 0;
            }
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /** The opened store, or the exception opening it threw, as if it had been opened on this thread. */
    private static Store opened(FutureTask<Store> opening) throws Exception {
        try {
            return opening.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    private UnaryOperator<InputStream> progress(long bytes) {
        if (!Terminal.interactive() || bytes < PROGRESS_THRESHOLD) {
            return UnaryOperator.identity();
        }
        return in -> new ProgressInputStream(in, bytes, "uploading " + remote, console.err());
    }

    private void print(PackResult pack, RemotePublisher.Published published, SortedMap<String, String> toplevels) {
        RemoteMetadata written = RemoteMetadata.of(published.object());
        String signed = written.signed() ? " (signed by key " + SafeText.line(written.keyId()) + ")" : "";
        if (json) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("remote", remote);
            map.put("version", pack.sha256());
            map.put("unchanged", published.unchanged());
            map.put("repaired", published.repaired());
            map.put("files", pack.files());
            map.put("bytes", pack.bytes());
            map.put("sourceRev", pack.sourceRev());
            map.put("etag", published.object().etag());
            map.put("keyId", written.signed() ? written.keyId() : null);
            map.put("sequence", written.sequence() > 0 ? written.sequence() : null);
            map.put("prebuilt", toplevels);
            console.print(Json.writeString(map));
        } else if (published.unchanged()) {
            console.println(remote + " unchanged: already at version " + Sha256.shortForm(pack.sha256())
                    + " (nothing uploaded)" + signed);
        } else if (published.repaired()) {
            console.println("repaired " + remote + ": it claimed version " + Sha256.shortForm(pack.sha256())
                    + " but its stored bytes were not that archive; uploaded again: " + Report.packed(pack) + signed);
        } else {
            console.println("pushed " + remote + ": " + Report.packed(pack) + ", sequence " + written.sequence() + signed
                    + (toplevels.isEmpty() ? "" : ", pre-built: " + String.join(", ", toplevels.keySet())));
        }
    }
}
