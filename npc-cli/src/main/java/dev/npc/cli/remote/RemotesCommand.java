package dev.npc.cli.remote;

import dev.npc.cli.support.Sizes;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Table;
import dev.npc.digest.Sha256;
import dev.npc.json.Json;
import dev.npc.remote.RemoteCatalog;
import dev.npc.text.SafeText;
import dev.npc.store.Store;
import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "remotes", mixinStandardHelpOptions = true,
        description = {"List the store's remotes: version, size, files, last update, source revision.",
                "",
                "STORED says whether the store vouches that the bytes are the version its metadata names (its"
                        + " sha256 checksum or MD5-ETag agrees: ok), disagrees (DAMAGED: push the same source"
                        + " again to repair it, or npc rollback), or gives no digest to compare (-, checked when"
                        + " hosts download). Exits 1 when a remote is damaged."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc remotes --store s3://my-fleet/npc",
                "  npc remotes --json | jq -r '.[] | select(.stored == \"damaged\") | .name'"})
public final class RemotesCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    StoreMixin storeOptions;

    @Option(names = "--json", description = "Print a JSON array (full sha256, sizes in bytes, ISO times).")
    boolean json;

    private static String stored(RemoteCatalog.RemoteInfo remote) {
        return switch (remote.stored()) {
            case RemoteCatalog.VERIFIED -> "ok";
            case RemoteCatalog.DAMAGED -> "DAMAGED";
            default -> "-";
        };
    }

    @Override
    public Integer call() throws Exception {
        try (Store store = storeOptions.open()) {
            List<RemoteCatalog.RemoteInfo> remotes = new RemoteCatalog(store).list();
            boolean anyDamaged = remotes.stream().anyMatch(r -> RemoteCatalog.DAMAGED.equals(r.stored()));
            if (json) {
                console.print(Json.writeString(remotes));
                return anyDamaged ? 1 : 0;
            }
            if (remotes.isEmpty()) {
                console.println("no remotes in " + store.url() + "; publish one with: npc push --remote NAME");
                return 0;
            }
            Instant now = Instant.now();
            Table table = new Table("REMOTE", "VERSION", "SIZE", "FILES", "UPDATED", "SOURCE", "SIGNED", "STORED");
            for (RemoteCatalog.RemoteInfo remote : remotes) {
                // Names come from the bucket's keys and the rest from metadata: never printed raw.
                table.row(SafeText.line(remote.name()), Sha256.shortForm(remote.sha256()), Sizes.human(remote.bytes()),
                        Integer.toString(remote.files()), Sizes.age(remote.updated(), now) + " ago",
                        remote.sourceRev() == null ? "-" : SafeText.line(remote.sourceRev()),
                        remote.signed() ? SafeText.line(String.valueOf(remote.keyId())) : "no",
                        stored(remote));
            }
            console.print(table.render());
            List<RemoteCatalog.RemoteInfo> damaged = remotes.stream()
                    .filter(r -> RemoteCatalog.DAMAGED.equals(r.stored())).toList();
            for (RemoteCatalog.RemoteInfo remote : damaged) {
                console.err().println("npc: remote '" + SafeText.line(remote.name()) + "' is damaged: " + SafeText.line(remote.storedProblem())
                        + "; hosts refuse it. Repair it with npc push of the same source, or npc rollback " + remote.name());
            }
            console.err().flush();
            return damaged.isEmpty() ? 0 : 1;
        }
    }
}
