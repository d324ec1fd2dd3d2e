package dev.npc.daemon.reliability;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.Result;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.FaultProxy;
import dev.npc.testing.FaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's state and history uploads are verified like every write: a server that stores
 * other bytes than sent (as s3rver did) leaves the report pending in the outbox and says why,
 * instead of leaving a corrupt state.json for npc status to misread.
 */
class ReportVerificationTest {
    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    FaultProxy proxy;
    TestFleet fleet;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.startUnauthenticated();
        proxy = FaultProxy.start(s3.endpoint());
        Store store = s3.openThrough(proxy.endpointUrl(), "reports", null);
        fleet = new TestFleet(tmp, store);
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publishSystem("prod", "v1");
    }

    @AfterEach
    void tearDown() {
        fleet.close();
        proxy.close();
        s3.close();
    }

    @Test
    void reportsTheStoreDidNotKeepAsSentStayPendingAndAreUploadedLater() throws Exception {
        proxy.inject(Fault.STORE_OTHER_BYTES, "PUT", "/hosts/", 1000);
        try (Daemon daemon = fleet.daemon()) {
            daemon.follow(FollowLoop.Mode.ONCE);
            assertTrue(fleet.system.running().endsWith("/v1"), "a failed report never undoes an activation");
            assertTrue(fleet.err().contains("did not store what npc sent to"), fleet.err());
            assertTrue(Files.exists(fleet.stateDir.outbox().resolve("state.pending")), "the state waits in the outbox");

            proxy.heal();
            daemon.follow(FollowLoop.Mode.ONCE);
        }
        assertEquals(Result.SUCCESS, fleet.bucketState().lastAttempt().result(), "a readable state, uploaded again");
        assertEquals(1, fleet.history().stream().filter(k -> k.endsWith("-success.json")).count(), fleet.history().toString());
        assertTrue(proxy.served(Fault.STORE_OTHER_BYTES) >= 1);
    }
}
