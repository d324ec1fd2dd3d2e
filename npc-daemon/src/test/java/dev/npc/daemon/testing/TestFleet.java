package dev.npc.daemon.testing;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.config.Settings;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.report.EventLog;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.FileStore;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.testing.TestClock;
import dev.npc.testing.TestFlakes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One host and its store for a test: a real file store (or any store), the stand-in system
 * commands, a state directory, and the daemon wired exactly as in production but with a test
 * clock, instant sleeps and captured output.
 */
public final class TestFleet implements AutoCloseable {
    public static final String HOST = "web-1";

    public final Path root;
    public final StandIns system;
    public final ObservedStore store;
    public final StateDir stateDir;
    public final TestClock clock = new TestClock(Instant.parse("2026-11-22T10:00:00Z"));
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> extraArgs = new ArrayList<>();
    private int flakeCount;
    private Runnable onSleep = () -> { };
    /** The shutdown hooks daemons registered (follow's SIGTERM handling), started by a stand-in reboot. */
    private final List<Thread> shutdownHooks = new java.util.concurrent.CopyOnWriteArrayList<>();

    public TestFleet(Path root) {
        this(root, new FileStore(root.resolve("bucket")));
    }

    public TestFleet(Path root, Store backing) {
        this.root = root;
        this.system = StandIns.create(root.resolve("system"));
        this.store = new ObservedStore(backing);
        this.stateDir = new StateDir(root.resolve("state"));
        // A reboot stops the daemon as systemd's shutdown does: SIGTERM runs its shutdown hook.
        system.onReboot(() -> {
            for (Thread hook : shutdownHooks) {
                hook.start();
                awaitStopRequested(hook);
            }
            shutdownHooks.clear();
        });
    }

    /**
     * Until {@code hook} asked the daemon to stop: follow's hook asks, then waits for the loop to
     * end, so a hook that waits (or ended) has asked. The daemon's own wait for the shutdown runs
     * on the test clock, in no time, so it must see the request before it looks.
     */
    private static void awaitStopRequested(Thread hook) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (hook.getState() != Thread.State.TIMED_WAITING && hook.getState() != Thread.State.WAITING
                && hook.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Flags added to every daemon run (e.g. --health-command, --pre-activate). */
    public TestFleet with(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** Runs {@code action} at every sleep of the daemon (which only moves the test clock). */
    public void onSleep(Runnable action) {
        onSleep = action;
    }

    public Seams seams() {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        dev.npc.time.Sleeper sleeper = d -> {
            clock.advance(d);
            onSleep.run();
        };
        return new Seams(new SystemProcessRunner(), clock, sleeper, RandomGenerator.of("L64X128MixRandom"),
                Map.of(), o, e, settings -> store, shutdownHooks::add, "testhost", system.rebooter());
    }

    /** The flags a NixOS unit would pass, pointed at the stand-ins. */
    public List<String> flags() {
        List<String> flags = new ArrayList<>(List.of("--state-dir", stateDir.root().toString(),
                "--store", store.url(), "--host", HOST, "--nix-bin", system.bin.toString(),
                "--systemctl", system.bin.resolve("systemctl").toString(),
                "--current-system", system.currentSystem.toString(),
                "--system-profile", system.systemProfile.toString(),
                "--booted-system", system.bootedSystem.toString(),
                "--retry-backoff", "0s", "--health-timeout", "10s"));
        flags.addAll(extraArgs);
        return flags;
    }

    /** Runs npc-daemon with {@code args} then the standard flags; returns the exit code. */
    public int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!List.of(args).contains("--help") && args.length > 0 && List.of("follow", "install").contains(args[0])) {
            all.addAll(flags());
        } else if (args.length > 0 && !List.of(args).contains("--help")) {
            all.addAll(List.of("--state-dir", stateDir.root().toString()));
        }
        return NpcDaemon.run(seams(), all.toArray(String[]::new));
    }

    /** The daemon object itself, for tests that poll more than once with the same memory (ETags). */
    public Daemon daemon() throws IOException {
        Settings settings = settings();
        return new Daemon(settings, seams(), new EventLog(seams().out(), seams().err(), false));
    }

    /** The settings follow would run with, read by the production definitions (config.json included). */
    public Settings settings() {
        return Settings.parse(Map.of(), "testhost", flags().toArray(String[]::new));
    }

    /** Packs a flake with the given extra files and publishes it as {@code remote}; returns its version. */
    public String publish(String remote, Map<String, String> files) {
        return publish(remote, files, Map.of());
    }

    /** Like {@link #publish(String, Map)}, with pre-built toplevels in the archive (npc push --prebuilt). */
    public String publish(String remote, Map<String, String> files, Map<String, String> prebuilt) {
        try {
            Path flake = root.resolve("flakes/src-" + (flakeCount++));
            TestFlakes.minimal(flake);
            files.forEach((name, content) -> TestFlakes.write(flake, name, content));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PackResult pack = new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT.withPrebuilt(prebuilt),
                    bytes);
            RemoteMetadata meta = new RemoteMetadata(RemoteMetadata.CURRENT_FORMAT, pack.sha256(), pack.files(),
                    null, null, null);
            store.put(Layout.remote(remote), bytes.toByteArray(), meta.toMap());
            return pack.sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (dev.npc.pack.PackException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes a flake whose stand-in build gives the toplevel {@code systemName}. */
    public String publishSystem(String remote, String systemName) {
        return publish(remote, Map.of("system-name", systemName + "\n"));
    }

    public void desired(String json) {
        try {
            store.put(Layout.desired(HOST), json.getBytes(StandardCharsets.UTF_8), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The state the daemon wrote locally. */
    public HostState localState() {
        try {
            return Json.read(Files.readAllBytes(stateDir.state()), HostState.class, "state.json");
        } catch (Exception e) {
            throw new AssertionError("no readable local state.json: " + e.getMessage(), e);
        }
    }

    /** The state in the bucket, or null. */
    public HostState bucketState() {
        try (GetResult result = store.get(Layout.state(HOST), null)) {
            if (result instanceof GetResult.Found found) {
                return Json.read(found.body().readAllBytes(), HostState.class, "bucket state.json");
            }
            return null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** History record keys in the bucket. */
    public List<String> history() {
        try {
            return store.list(Layout.historyPrefix(HOST)).stream().map(ObjectInfo::key).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    public String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        store.close();
    }
}
