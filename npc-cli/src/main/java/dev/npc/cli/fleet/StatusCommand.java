package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Terminal;
import dev.npc.fleet.FleetReader;
import dev.npc.fleet.StatusClassifier;
import dev.npc.json.Json;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show every host: what it follows, what it runs, and whether it failed.",
                "",
                "One row per host: the remote it follows, that remote's version, the version the host runs, its"
                        + " status, when it last reported, how long ago the version was published, and why it"
                        + " failed. Problems first.",
                "",
                "Statuses: failed, rolled back, stale, unknown, in progress (phase), pending, paused, up to date.",
                "",
                "Exits 0 whatever the fleet's state: use npc wait as a gate."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc status --store s3://my-fleet/npc",
                "  npc status --remote prod --json | jq '.hosts[] | select(.problem)'",
                "  npc status --watch"})
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;
    @Mixin
    FleetMixin fleetOptions;

    @Option(names = "--remote", paramLabel = "NAME", description = "Only hosts following this remote.")
    String remote;

    @Option(names = "--json", description = "Print the fleet as JSON (schema 1, see README).")
    boolean json;

    @Option(names = "--watch", description = "Redraw every --every until interrupted.")
    boolean watch;

    @Override
    public Integer call() throws Exception {
        if (remote != null) {
            dev.npc.remote.RemoteName.check(remote);
        }
        Duration interval = fleetOptions.every();
        try (Store store = storeOptions.open()) {
            FleetReader reader = fleetOptions.reader(store);
            boolean colour = !json && Terminal.interactive();
            do {
                Instant now = Instant.now();
                FleetReader.Fleet fleet = reader.read(new StatusClassifier(now, fleetOptions.staleMultiple),
                        name -> remote == null || remote.equals(name));
                fleetOptions.saveCache(console);
                if (watch && colour) {
                    console.print("\u001B[H\u001B[2J");
                }
                if (json) {
                    console.print(Json.writeString(StatusView.json(fleet, store.url(), now)));
                } else if (fleet.hosts().isEmpty()) {
                    console.println("no hosts" + (remote == null ? "" : " follow " + remote) + " in " + store.url()
                            + "; add one with: npc hosts set HOST --remote NAME");
                } else {
                    console.print(StatusView.table(fleet, now, colour));
                }
                if (watch) {
                    Thread.sleep(interval.toMillis());
                }
            } while (watch);
            return 0;
        }
    }
}
