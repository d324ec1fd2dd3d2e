package dev.npc.cli.support;

import dev.npc.store.Store;
import dev.npc.store.StoreLocation;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import picocli.CommandLine.Option;

import java.nio.file.Files;

/** {@code --store} and {@code --endpoint-url}, shared by every command that talks to a store. */
public final class StoreMixin {
    /** Parsed by StoreLocation with the command line (NpcCli registers the converter). */
    @Option(names = "--store", paramLabel = "URL",
            description = "Store URL: s3://bucket/prefix or file:///dir (default: $NPC_STORE).")
    StoreLocation store;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "S3-compatible endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS).")
    String endpointUrl;

    /** Opens a store that must exist already: a typo in a file:// URL is an error, not an empty fleet. */
    public Store open() {
        Store opened = openOrCreate();
        if (location() instanceof StoreLocation.File file && !Files.isDirectory(file.directory())) {
            opened.close();
            throw new IllegalArgumentException("store " + file.url() + " does not exist; check --store"
                    + " (npc push or npc hosts set creates a new one)");
        }
        return opened;
    }

    /** Opens a store that a write may create (push, hosts set). */
    public Store openOrCreate() {
        return openAt(location());
    }

    /** Opens a store named by another option (import-npcnix's --from and --to), with this --endpoint-url. */
    public Store openAt(StoreLocation location) {
        return Stores.open(location, new StoreOptions(endpointUrl, null, null));
    }

    /**
     * --store, else $NPC_STORE. The variable is read when a command needs a store, not as the
     * option's default value: picocli would convert that default for every command line, so a
     * wrong NPC_STORE would break even --help, and its message would blame --store.
     */
    public StoreLocation location() {
        if (store != null) {
            return store;
        }
        String fromEnvironment = System.getenv("NPC_STORE");
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            throw new IllegalArgumentException("no store given; pass --store s3://bucket/prefix (or file:///dir) or set NPC_STORE");
        }
        try {
            return StoreLocation.parse(fromEnvironment);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("NPC_STORE: " + e.getMessage());
        }
    }
}
