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

    public Store open() {
        if (store == null || store.isBlank()) {
            throw new IllegalArgumentException("no store given; pass --store s3://bucket/prefix (or file:///dir) or set NPC_STORE");
        }
        return Stores.open(store, new StoreOptions(endpointUrl, null, null));
    }
}
