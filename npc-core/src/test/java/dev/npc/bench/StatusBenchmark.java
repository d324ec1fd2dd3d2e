package dev.npc.bench;

import dev.npc.fleet.FleetReader;
import dev.npc.fleet.StatusClassifier;
import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.StateBuilder;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How long {@code npc status} takes to read a fleet of N hosts from an S3 server on loopback
 * (S3Proxy, in process, through the real AWS SDK). A benchmark, not a test: run it with
 * {@code bench/status-bench.sh [hosts] [concurrency]}, which keeps the output in bench/results/
 * and writes its {@link Figures} into the README's tables.
 */
public final class StatusBenchmark {
    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : FleetReader.DEFAULT_CONCURRENCY;
        try (EmbeddedS3 s3 = EmbeddedS3.start(); Store store = s3.open("bench")) {
            String version = "a".repeat(64);
            store.put(Layout.remote("prod"), new byte[]{1, 2, 3},
                    new RemoteMetadata(1, version, 3, null, null, null).toMap());
            long seedStart = System.nanoTime();
            seed(store, hosts, version);
            System.out.printf("seeded %d hosts (%d objects) in %.1f s%n", hosts, hosts * 2,
                    (System.nanoTime() - seedStart) / 1e9);
            Figures.print("hosts", "%,d", hosts);
            Figures.print("concurrency", "%d", concurrency);
            Figures.print("default", "%s", concurrency == FleetReader.DEFAULT_CONCURRENCY ? "yes" : "no");
            long heapGrowth = 0;
            for (int run = 1; run <= 3; run++) {
                Read read = timeRead("run " + run, new FleetReader(store, concurrency), concurrency);
                Figures.print("read." + run, "%.2f s", read.seconds());
                heapGrowth = Math.max(heapGrowth, read.heapGrowthMiB());
            }
            // npc wait and status --watch keep their reader: every look after the first sends the
            // ETags it knows, and unchanged documents come back as 304s.
            FleetReader watching = new FleetReader(store, concurrency);
            watching.read(new StatusClassifier(Instant.now(), 3), remote -> true);
            Figures.print("repeat", "%.2f s", timeRead("repeat look (304s)", watching, concurrency).seconds());
            Figures.print("heap.growth", "up to %d MiB", heapGrowth);
        }
    }

    private record Read(double seconds, long heapGrowthMiB) { }

    private static Read timeRead(String label, FleetReader reader, int concurrency) throws Exception {
        System.gc();
        long heapBefore = usedHeap();
        long start = System.nanoTime();
        FleetReader.Fleet fleet = reader.read(new StatusClassifier(Instant.now(), 3), remote -> true);
        double seconds = (System.nanoTime() - start) / 1e9;
        long heapGrowth = Math.max(0, usedHeap() - heapBefore) >> 20;
        System.out.printf("%s: status of %d hosts in %.2f s (%.0f hosts/s), heap +%d MiB, %d threads, concurrency %d%n",
                label, fleet.hosts().size(), seconds, fleet.hosts().size() / seconds, heapGrowth,
                Thread.activeCount(), concurrency);
        return new Read(seconds, heapGrowth);
    }

    private static void seed(Store store, int hosts, String version) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<?>> futures = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = 0; i < hosts; i++) {
                String host = String.format("host-%05d", i);
                boolean current = i % 10 != 0;
                futures.add(pool.submit(() -> {
                    store.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of());
                    HostState state = StateBuilder.host(host).at(now)
                            .running("prod", current ? version : "b".repeat(64)).build();
                    store.put(Layout.state(host), Json.write(state), Map.of());
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
