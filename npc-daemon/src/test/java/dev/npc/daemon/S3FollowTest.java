package dev.npc.daemon;

import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.testing.EmbeddedS3;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop against the S3 protocol: the real AWS SDK, SigV4, S3Proxy on loopback. */
class S3FollowTest {
    static EmbeddedS3 s3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() {
        s3 = EmbeddedS3.start();
    }

    @AfterAll
    static void stopS3() {
        s3.close();
    }

    @Test
    void pollsWith304sThenActivatesAndReportsIntoTheBucket() throws Exception {
        String prefix = "fleet-" + tmp.getFileName();
        try (TestFleet fleet = new TestFleet(tmp, s3.open(prefix))) {
            String sha = fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                fleet.system.clearCalls();
                fleet.store.clearReads();

                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));

                assertEquals(List.of("hosts/web-1/desired.json NotModified", "remotes/prod.npc NotModified"),
                        fleet.store.reads());
                assertEquals(List.of(), fleet.system.commands());
            }
            // What another S3 client (npc status on an admin's laptop) sees:
            try (S3Client client = s3.newClient()) {
                String json = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key(prefix + "/hosts/web-1/state.json"))
                        .asUtf8String();
                HostState state = dev.npc.json.Json.read(json.getBytes(), HostState.class, "state.json");
                assertEquals(Result.SUCCESS, state.lastAttempt().result());
                assertEquals(sha, state.current().sha256());
                List<String> history = client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix(prefix + "/history/web-1/"))
                        .contents().stream().map(o -> o.key()).toList();
                assertEquals(1, history.size(), history.toString());
                assertTrue(history.get(0).endsWith("-success.json"), history.toString());
            }
        }
    }

    @Test
    void rollbackIsReportedThroughS3() throws Exception {
        try (TestFleet fleet = new TestFleet(tmp, s3.open("rollback-" + tmp.getFileName()))) {
            String initial = fleet.system.running();
            fleet.publish("prod", java.util.Map.of("system-name", "v2", "switch-fails", ""));
            fleet.desired("{\"remote\": \"prod\"}");

            assertEquals(1, fleet.run("follow", "--once"));

            assertEquals(initial, fleet.system.running());
            assertEquals(Result.ROLLED_BACK, fleet.bucketState().lastAttempt().result());
        }
    }
}
