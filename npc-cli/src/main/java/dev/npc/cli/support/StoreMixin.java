package dev.npc.cli.support;

import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import picocli.CommandLine.Option;

/** {@code --store} and {@code --endpoint-url}, shared by every command that talks to a store. */
public final class StoreMixin {
    @Option(names = "--store", paramLabel = "URL", defaultValue = "${env:NPC_STORE}",
            description = "Store URL: s3://bucket/prefix or file:///dir (default: $NPC_STORE).")
    String store;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "S3-compatible endpoint (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS).")
    String endpointUrl;

    /** Opens a store that must exist already: a typo in a file:// URL is an error, not an empty fleet. */
    public Store open() {
        Store opened = openOrCreate();
        if (store.startsWith("file:")) {
            java.nio.file.Path dir = java.nio.file.Path.of(java.net.URI.create(store));
            if (!java.nio.file.Files.isDirectory(dir)) {
                opened.close();
                throw new IllegalArgumentException("store " + store + " does not exist; check --store"
                        + " (npc push or npc hosts set creates a new one)");
            }
        }
        return opened;
    }

    /** Opens a store that a write may create (push, hosts set). */
    public Store openOrCreate() {
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("no store given; pass --store s3://bucket/prefix (or file:///dir) or set NPC_STORE");
        }
        return Stores.open(store, new StoreOptions(endpointUrl, null, null));
    }
}
