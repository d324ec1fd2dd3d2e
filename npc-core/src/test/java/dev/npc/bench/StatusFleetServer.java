package dev.npc.bench;

import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.ParallelRequests;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.StateBuilder;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The server side of bench/status-bench.sh: S3Proxy (in memory, on 127.0.0.1) in a process of its
 * own, holding a fleet of N hosts as daemons leave it (desired.json, state.json and one history
 * record each, the state naming the desired.json it acted on; one host in ten on an older version), so the script can time whole {@code bin/npc
 * status} processes against it. Prints the environment a client needs, one {@code export} line
 * each, then {@code ready}; then reads commands from stdin until it closes:
 * {@code touch HOST} rewrites that host's state.json (a new report), {@code quit} stops.
 * With {@code indexed} as second argument, listings are answered from a sorted index
 * ({@link IndexedListing}) instead of the stock store's walk of every object per page.
 */
public final class StatusFleetServer {
    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        boolean indexed = args.length > 1 && args[1].equals("indexed");
        try (EmbeddedS3 s3 = indexed ? EmbeddedS3.startWith(IndexedListing::new) : EmbeddedS3.start();
             Store store = s3.open("bench")) {
            String version = "a".repeat(64);
            store.put(Layout.remote("prod"), new byte[]{1, 2, 3}, new RemoteMetadata(1, version, 3, null, null, null).toMap());
            long start = System.nanoTime();
            seed(store, hosts, version);
            System.err.printf("status-fleet-server: seeded %,d hosts (%,d objects) in %.1f s%n", hosts, hosts * 3,
                    (System.nanoTime() - start) / 1e9);
            s3.environment().forEach((name, value) -> System.out.println("export " + name + "=" + value));
            System.out.println("export NPC_STORE=" + s3.storeUrl("bench"));
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                if (line.startsWith("touch ")) {
                    String host = line.substring("touch ".length()).trim();
                    String etag = store.head(Layout.desired(host)).orElseThrow().etag();
                    store.put(Layout.state(host), Json.write(StateBuilder.host(host).at(Instant.now())
                            .desired(actedOn(host, version, etag)).running("prod", version).build()), Map.of());
                    System.out.println("touched " + host);
                    System.out.flush();
                }
            }
        }
    }

    /** What a daemon reports it acts on: the remote's version, and the desired.json it read (ETag and copy). */
    private static HostState.DesiredRef actedOn(String host, String version, String etag) {
        return HostState.DesiredRef.resolved("prod", host, version).from(etag, Desired.of("prod"));
    }

    private static void seed(Store store, int hosts, String version) throws Exception {
        Instant now = Instant.now();
        List<Integer> numbers = java.util.stream.IntStream.range(0, hosts).boxed().toList();
        ParallelRequests.map(numbers, 32, "seeding the fleet", i -> {
            String host = String.format("host-%05d", i);
            String etag = store.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of()).etag();
            HostState state = StateBuilder.host(host).at(now).desired(actedOn(host, version, etag))
                    .running("prod", i % 10 != 0 ? version : "b".repeat(64)).build();
            byte[] json = Json.write(state);
            store.put(Layout.state(host), json, Map.of());
            store.put(Layout.history(host, "20261122T100000.000Z", "success"), json, Map.of());
            return null;
        });
    }
}
