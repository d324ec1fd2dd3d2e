package dev.npc.daemon.reliability;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.testing.HeaderBombs;
import dev.npc.testing.HostileArchives;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A remote of a few kilobytes whose tar stream holds a 600 MiB GNU long name or PAX header, run
 * against a real npc-daemon JVM with the NixOS module's heap (-Xmx128m). A reader that buffers
 * the header whole dies of OutOfMemoryError, and a daemon that dies that way without charging
 * the version crash-loops under Restart=always. The daemon must refuse each one quickly, report
 * it, and live on to activate the next good version.
 */
class HeaderBombTest {
    @TempDir
    Path tmp;
    TestFleet fleet;
    int run;

    @BeforeEach
    void setUp() {
        fleet = new TestFleet(tmp.resolve("fleet"));
        fleet.desired("{\"remote\": \"prod\"}");
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    @Test
    void aSixHundredMegabyteLongNameIsRefusedAtTheDefaultHeap() throws Exception {
        byte[] bomb = HeaderBombs.all().get("600 MiB GNU long name");
        assertTrue(bomb.length < 64 << 10, "a small remote: " + bomb.length + " bytes");
        put(bomb);
        String initial = fleet.system.running();
        DaemonProcess daemon = start(List.of("follow", "--once"));
        int code = daemon.waitFor(120);
        String out = daemon.output();
        assertFalse(out.contains("OutOfMemoryError") || out.contains("Java heap space"), out);
        assertEquals(1, code, "the attempt failed; the daemon did not crash:\n" + out);
        HostState state = fleet.localState();
        assertEquals(Result.FAILED, state.lastAttempt().result(), state.toString());
        assertTrue(state.lastAttempt().error().contains("cannot be unpacked")
                && state.lastAttempt().error().contains("over the limit"), state.lastAttempt().error());
        assertEquals(initial, fleet.system.running());
        assertEquals(List.of(), fleet.system.commands(), "nothing built");
    }

    /**
     * One long-running daemon meets every archive the unpacker refuses, every header bomb, and then
     * a good version: it refuses each in turn, never dies, and activates the good one.
     */
    @Test
    void oneDaemonSurvivesEveryHostileArchiveAndActivatesTheNextGoodOne() throws Exception {
        Map<String, byte[]> remotes = new LinkedHashMap<>(HeaderBombs.all());
        remotes.putAll(HostileArchives.all());
        remotes.put("zstd frame asking for a 128 MiB window", TestArchives.zstdWithWindowLog(
                TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).tar(), 27));
        DaemonProcess daemon = start(List.of("follow", "--interval", "1h"));
        try {
            awaitState(daemon, s -> s.message() != null || s.desired() != null, "the first poll");
            List<String> slow = new ArrayList<>();
            for (Map.Entry<String, byte[]> remote : remotes.entrySet()) {
                String sha = put(remote.getValue());
                Instant started = Instant.now();
                Files.writeString(fleet.stateDir.trigger(), "");
                HostState state = awaitState(daemon, s -> s.lastAttempt() != null && sha.equals(s.lastAttempt().sha256()),
                        remote.getKey());
                assertEquals(Result.FAILED, state.lastAttempt().result(), remote.getKey() + ": " + state);
                assertTrue(state.lastAttempt().error().contains("cannot be unpacked"),
                        remote.getKey() + ": " + state.lastAttempt().error());
                if (Duration.between(started, Instant.now()).toSeconds() > 10) {
                    slow.add(remote.getKey());
                }
            }
            String good = fleet.publishSystem("prod", "v1");
            Files.writeString(fleet.stateDir.trigger(), "");
            HostState state = awaitState(daemon, s -> s.current() != null && good.equals(s.current().sha256()), "v1");
            assertTrue(state.current().system().endsWith("/v1"), state.toString());
            assertTrue(daemon.alive(), daemon.output());
            System.out.println("header bombs refused; slower than 10 s: " + slow);
        } finally {
            daemon.kill9();
        }
        assertFalse(daemon.output().contains("OutOfMemoryError"), daemon.output());
    }

    private String put(byte[] bytes) throws Exception {
        String sha = Sha256.hex(bytes);
        fleet.store.put(Layout.remote("prod"), bytes, new RemoteMetadata(1, sha, 1, null, null, null).toMap());
        return sha;
    }

    private DaemonProcess start(List<String> command) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.addAll(fleet.flags());
        args.addAll(List.of("--retries", "100"));
        return DaemonProcess.start(args, Map.of(), tmp.resolve("daemon-" + (++run) + ".log"));
    }

    private HostState awaitState(DaemonProcess daemon, java.util.function.Predicate<HostState> done, String what)
            throws Exception {
        Instant end = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(end)) {
            if (!daemon.alive()) {
                throw new AssertionError("npc-daemon died while handling " + what + ":\n" + daemon.output());
            }
            if (Files.exists(fleet.stateDir.state())) {
                try {
                    HostState state = Json.read(Files.readAllBytes(fleet.stateDir.state()), HostState.class, "state.json");
                    if (done.test(state)) {
                        return state;
                    }
                } catch (dev.npc.json.InvalidDocumentException e) {
                    // being replaced; read again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("never reached: " + what + "\n" + daemon.output());
    }
}
