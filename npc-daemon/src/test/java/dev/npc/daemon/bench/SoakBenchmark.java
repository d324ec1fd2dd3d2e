package dev.npc.daemon.bench;

import dev.npc.bench.Figures;
import dev.npc.daemon.Daemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Soak: the real daemon polls an S3 store (S3Proxy) through {@link FaultProxy} thousands of times
 * as fast as it can, with random faults on a share of the requests and a new version every so
 * often, and prints threads, open file descriptors and heap at the start and at the end. Figures,
 * not assertions: run it with bench/soak.sh [polls] [fault-probability] [seed], which keeps the
 * output in bench/results/ and writes its {@link Figures} into the documentation's tables.
 */
public final class SoakBenchmark {
    private SoakBenchmark() { }

    public static void main(String[] args) throws Exception {
        int polls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        double probability = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        int versionEvery = Math.max(1, polls / 20);
        Path root = Files.createTempDirectory("npc-soak-");
        List<Fault> faults = List.of(Fault.ERROR_500, Fault.ERROR_503, Fault.SLOW_DOWN, Fault.RESET_BEFORE_RESPONSE,
                Fault.RESET_MID_BODY, Fault.TRUNCATED_BODY, Fault.CORRUPT_BODY, Fault.STALL);
        try (EmbeddedS3 s3 = EmbeddedS3.start(); FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
            proxy.stallFor(Duration.ofMillis(300));
            Store store = s3.openThrough(proxy.endpointUrl(), "soak", Duration.ofMillis(200));
            Store direct = s3.open("soak");
            TestFleet fleet = new TestFleet(root, direct);
            fleet.desired("{\"remote\": \"prod\"}");
            fleet.publishSystem("prod", "v0");
            int version = 0;
            Map<Integer, Integer> exitCodes = new java.util.TreeMap<>();
            int crashes = 0;
            // Output goes nowhere: captured logs would grow with the polls and hide a real leak.
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            Seams test = fleet.seams();
            Seams seams = new Seams(test.processes(), test.clock(), test.sleeper(), test.random(), test.env(), quiet,
                    quiet, settings -> store, test.shutdownHooks(), test.hostname());
            try (Daemon daemon = new Daemon(fleet.settings(), seams, new EventLog(quiet, quiet, false))) {
                for (int i = 0; i < 200; i++) {
                    daemon.follow(FollowLoop.Mode.ONCE);
                }
                proxy.randomly(seed, probability, faults);
                Sample start = Sample.take();
                long begin = System.nanoTime();
                for (int i = 1; i <= polls; i++) {
                    // A second per poll: history keys and heartbeats follow the clock, as on a host.
                    fleet.clock.advance(Duration.ofSeconds(1));
                    if (i % versionEvery == 0) {
                        fleet.publishSystem("prod", "v" + (++version));
                    }
                    try {
                        exitCodes.merge(daemon.follow(FollowLoop.Mode.ONCE), 1, Integer::sum);
                    } catch (Exception | Error e) {
                        crashes++;
                        System.out.println("poll " + i + " threw " + e);
                    }
                }
                double seconds = (System.nanoTime() - begin) / 1e9;
                proxy.heal();
                for (int i = 0; i < 5; i++) {
                    daemon.follow(FollowLoop.Mode.ONCE);
                }
                Sample end = Sample.take();
                HostState state = fleet.bucketState();
                Map<Fault, Integer> served = new EnumMap<>(Fault.class);
                for (Fault fault : Fault.values()) {
                    served.put(fault, proxy.served(fault));
                }
                System.out.printf("polls: %d in %.1f s (%.0f polls/s), exit codes %s, crashes %d%n",
                        polls, seconds, polls / seconds, exitCodes, crashes);
                System.out.println("requests through the proxy: " + served);
                System.out.println("start: " + start);
                System.out.println("end:   " + end);
                System.out.println("threads by name, start: " + start.threadsByName());
                System.out.println("threads by name, end:   " + end.threadsByName());
                System.out.println("versions published: " + (version + 1) + "; running " + fleet.system.running()
                        .replaceAll(".*/", "") + "; bucket state: phase " + state.phase() + ", last attempt "
                        + state.lastAttempt().result() + ", current " + state.current().system().replaceAll(".*/", ""));
                System.out.println("history records: " + fleet.history().size());
                int faulted = served.entrySet().stream().filter(e -> e.getKey() != Fault.PASS)
                        .mapToInt(Map.Entry::getValue).sum();
                int requests = served.values().stream().mapToInt(Integer::intValue).sum();
                Figures.print("probability", "%.0f %%", probability * 100);
                Figures.print("polls", "%,d", polls);
                Figures.print("time", "%.0f s (%.0f polls/s)", seconds, polls / seconds);
                Figures.print("faulted", "%,d of %,d", faulted, requests);
                Figures.print("exits", "%s", String.join(", ", exitCodes.entrySet().stream()
                        .map(e -> String.format(java.util.Locale.ROOT, "%,d × %d", e.getValue(), e.getKey())).toList()));
                Figures.print("crashes", "%d", crashes);
                Figures.print("threads", "%d → %d", start.threads(), end.threads());
                Figures.print("fds", "%d → %d", start.fileDescriptors(), end.fileDescriptors());
                Figures.print("heap", "%d → %d MiB", start.heapMiB(), end.heapMiB());
            }
            store.close();
            fleet.close();
        } finally {
            deleteTree(root);
        }
    }

    /** What could leak: threads, open file descriptors, heap after a full collection. */
    private record Sample(int threads, long fileDescriptors, long heapMiB, Map<String, Long> threadsByName) {
        static Sample take() throws IOException {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long fds;
            try (Stream<Path> open = Files.list(Path.of("/proc/self/fd"))) {
                fds = open.count();
            }
            Map<String, Long> byName = Thread.getAllStackTraces().keySet().stream().collect(
                    java.util.stream.Collectors.groupingBy(t -> t.getName().replaceAll("[0-9]+", "N"),
                            java.util.TreeMap::new, java.util.stream.Collectors.counting()));
            return new Sample(ManagementFactory.getThreadMXBean().getThreadCount(), fds,
                    memory.getHeapMemoryUsage().getUsed() >> 20, byName);
        }

        @Override
        public String toString() {
            return "threads " + threads + ", file descriptors " + fileDescriptors + ", heap used " + heapMiB + " MiB";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
