package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.SharedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real daemon against S3 (S3Proxy) through {@link FaultProxy}: while a fault lasts nothing
 * unverified or partial is built or switched to and the daemon keeps running; when it ends the
 * daemon recovers by itself, the newest state reaches the bucket, and nothing is left behind.
 */
class DaemonFaultsTest {
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();
    @TempDir
    Path tmp;
    FaultProxy proxy;
    TestFleet fleet;
    String initial;

    @BeforeEach
    void setUp() throws Exception {
        proxy = FaultProxy.start(S3.get().endpoint()).stallFor(Duration.ofMillis(1200));
        Store store = S3.get().openThrough(proxy.endpointUrl(), "fault-" + UUID.randomUUID(), Duration.ofMillis(300));
        fleet = new TestFleet(tmp, store);
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publishSystem("prod", "v1");
        initial = fleet.system.running();
    }

    @AfterEach
    void tearDown() {
        fleet.close();
        proxy.close();
    }

    /**
     * Polls under a lasting fault on the remote, then the fault ends. Body faults fail an attempt,
     * so they get three polls: one more than the version's retries, which a network fault must not use up.
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"ERROR_500", "SLOW_DOWN", "RESET_BEFORE_RESPONSE", "RESET_MID_BODY",
            "TRUNCATED_BODY", "CORRUPT_BODY", "STALL"})
    void aLastingFaultOnTheRemoteBuildsNothingAndTheDaemonRecoversWhenItEnds(Fault fault) throws Exception {
        proxy.inject(fault, "GET", "/remotes/", 1000);
        try (Daemon daemon = fleet.daemon()) {
            boolean bodyFault = List.of(Fault.RESET_MID_BODY, Fault.TRUNCATED_BODY, Fault.CORRUPT_BODY).contains(fault);
            int polls = bodyFault ? 3 : 2;
            for (int poll = 0; poll < polls; poll++) {
                assertEquals(1, daemon.follow(FollowLoop.Mode.ONCE), "poll " + poll + " fails and says so");
            }
            assertEquals(initial, fleet.system.running());
            assertTrue(fleet.system.commands().isEmpty(), "nothing built or switched: " + fleet.system.commands());
            HostState during = fleet.bucketState();
            assertNotNull(during, "the state still reaches the bucket");
            String why = during.lastAttempt() != null ? during.lastAttempt().error() : during.message();
            assertNotNull(why, during.toString());
            assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));
            assertEquals(List.of(), flakes(), "no partial tree");

            proxy.heal();
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
        }
        assertTrue(fleet.system.running().endsWith("/v1"));
        HostState after = fleet.bucketState();
        assertEquals(Result.SUCCESS, after.lastAttempt().result());
        assertTrue(after.current().system().endsWith("/v1"));
        assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));
        assertEquals(1, fleet.history().stream().filter(k -> k.endsWith("-success.json")).count(), fleet.history().toString());
        assertTrue(proxy.served(fault) >= 2, proxy.log().toString());
    }

    @Test
    void theStoreDisappearingDuringStateUploadsLosesNothing() throws Exception {
        try (Daemon daemon = fleet.daemon()) {
            daemon.reporter().onChange(state -> {
                if (Phase.ACTIVATING.equals(state.phase())) {
                    try {
                        proxy.down();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), "a failed upload never fails the activation");
            assertTrue(fleet.system.running().endsWith("/v1"));
            assertEquals(1, daemon.follow(FollowLoop.Mode.ONCE), "the next poll cannot reach the store either");
            assertTrue(fleet.system.running().endsWith("/v1"), "and changes nothing");

            proxy.up();
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
        }
        HostState uploaded = fleet.bucketState();
        assertEquals(Phase.IDLE, uploaded.phase());
        assertEquals(Result.SUCCESS, uploaded.lastAttempt().result());
        assertTrue(uploaded.current().system().endsWith("/v1"));
        assertEquals(1, fleet.history().size(), "one record per attempt, none lost or doubled: " + fleet.history());
        assertEquals(List.of(), Leftovers.in(fleet.stateDir.root()));
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"ERROR_503", "RESET_BEFORE_RESPONSE", "STALL"})
    void lastingFaultsOnStateUploadsAreCaughtUpOnceTheyEnd(Fault fault) throws Exception {
        proxy.inject(fault, "PUT", "/hosts/", 1000);
        try (Daemon daemon = fleet.daemon()) {
            assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
            assertTrue(fleet.system.running().endsWith("/v1"));
            proxy.heal();
            daemon.follow(FollowLoop.Mode.ONCE);
        }
        HostState uploaded = fleet.bucketState();
        assertNotNull(uploaded);
        assertEquals(Result.SUCCESS, uploaded.lastAttempt().result());
        assertEquals(1, fleet.history().size(), fleet.history().toString());
    }

    private List<String> flakes() throws Exception {
        if (!Files.exists(fleet.stateDir.flakes())) {
            return List.of();
        }
        try (var entries = Files.list(fleet.stateDir.flakes())) {
            return entries.map(p -> p.getFileName().toString()).toList();
        }
    }
}
