package dev.npc.daemon;

import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.testing.TestFleet;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.testing.SharedS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3Client;

import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.FaultProxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loop against the S3 protocol: the real AWS SDK, SigV4, S3Proxy on loopback. */
class S3FollowTest {
    @RegisterExtension
    static final SharedS3 S3 = new SharedS3();

    @TempDir
    Path tmp;

    @Test
    void pollsWith304sThenActivatesAndReportsIntoTheBucket() throws Exception {
        String prefix = "fleet-" + tmp.getFileName();
        try (TestFleet fleet = new TestFleet(tmp, S3.get().open(prefix))) {
            String sha = fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                fleet.system.clearCalls();
                fleet.store.clearReads();

                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE));

                assertEquals(List.of("hosts/web-1/desired.json Probe UNCHANGED", "remotes/prod.npc Probe UNCHANGED"),
                        fleet.store.reads());
                assertEquals(List.of(), fleet.system.commands());
            }
            // What another S3 client (npc status on an admin's laptop) sees:
            try (S3Client client = S3.get().newClient()) {
                String json = client.getObjectAsBytes(b -> b.bucket(S3.get().bucket()).key(prefix + "/hosts/web-1/state.json"))
                        .asUtf8String();
                HostState state = dev.npc.json.Json.read(json.getBytes(), HostState.class, "state.json");
                assertEquals(Result.SUCCESS, state.lastAttempt().result());
                assertEquals(sha, state.current().sha256());
                List<String> history = client.listObjectsV2(b -> b.bucket(S3.get().bucket()).prefix(prefix + "/history/web-1/"))
                        .contents().stream().map(o -> o.key()).toList();
                assertEquals(1, history.size(), history.toString());
                assertTrue(history.get(0).endsWith("-success.json"), history.toString());
            }
        }
    }

    /**
     * What an idle host costs the store and its disk: an unchanged poll sends two requests (a HEAD
     * each for desired.json and the remote), reads no body and writes no file, metrics included;
     * yet a change of either document is acted on at the very next poll.
     */
    @Test
    void anUnchangedPollSendsTwoBodilessRequestsAndWritesNothingYetTheNextChangeIsPickedUp() throws Exception {
        String prefix = "idle-" + tmp.getFileName();
        Path metrics = tmp.resolve("metrics/npc.prom");
        try (FaultProxy proxy = FaultProxy.start(S3.get().endpoint());
             TestFleet fleet = new TestFleet(tmp, S3.get().openThrough(proxy.endpointUrl(), prefix, null))) {
            fleet.with("--metrics-file", metrics.toString());
            fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                Map<Path, FileTime> files = files(fleet.stateDir.root(), metrics.getParent());
                int before = proxy.served(FaultProxy.Fault.PASS);
                fleet.system.clearCalls();
                fleet.store.clearReads();

                for (int i = 0; i < 10; i++) {
                    fleet.clock.advance(Duration.ofSeconds(1));
                    assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                }

                assertEquals(20, proxy.served(FaultProxy.Fault.PASS) - before, "two requests a poll");
                assertEquals(Collections.nCopies(10, List.of("hosts/web-1/desired.json Probe UNCHANGED",
                        "remotes/prod.npc Probe UNCHANGED")).stream().flatMap(List::stream).toList(), fleet.store.reads(),
                        "no GET, so no body");
                assertEquals(files, files(fleet.stateDir.root(), metrics.getParent()), "no file written or removed");
                assertEquals(List.of(), fleet.system.commands());

                fleet.desired("{\"remote\": \"prod\", \"configuration\": \"web-2\"}");
                fleet.clock.advance(Duration.ofSeconds(1));
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                assertEquals("web-2", fleet.localState().current().configuration(), "desired.json's change, at the next poll");

                String v2 = fleet.publishSystem("prod", "v2");
                fleet.clock.advance(Duration.ofSeconds(1));
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                assertEquals(v2, fleet.localState().current().sha256(), "the remote's change, at the next poll");
                assertTrue(Files.readString(metrics).contains("npc_attempts_total{host=\"web-1\"} 3"),
                        "the metrics follow a change: " + Files.readString(metrics));
            }
        }
    }

    /**
     * A changed desired.json costs its poll one request more than an unchanged one, not two: HEAD
     * desired.json (the probe: changed), GET desired.json (conditional, read whole as a small
     * document by a signed request outside the SDK's client), HEAD remote (the probe: unchanged).
     * Before, a second HEAD of desired.json came between its probe and its GET.
     */
    @Test
    void aChangedDesiredJsonIsReadRightAfterTheProbeThatSawItChange() throws Exception {
        String prefix = "desired-" + tmp.getFileName();
        try (FaultProxy proxy = FaultProxy.start(S3.get().endpoint());
             TestFleet fleet = new TestFleet(tmp, S3.get().openThrough(proxy.endpointUrl(), prefix, null))) {
            fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                fleet.desired("{\"remote\": \"prod\", \"configuration\": \"web-2\"}");
                fleet.store.clearReads();
                int before = proxy.requests().size();
                fleet.clock.advance(Duration.ofSeconds(1));

                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());

                assertEquals("web-2", fleet.localState().current().configuration(), "desired.json's change, at the next poll");
                // What follows the poll (the fetch step checking the cached flake's metadata, the state's PUTs) is not the poll's.
                assertEquals(List.of("hosts/web-1/desired.json Probe CHANGED", "hosts/web-1/desired.json GetSmall Found",
                        "remotes/prod.npc Probe UNCHANGED"), fleet.store.reads().subList(0, 3));
                List<FaultProxy.Seen> poll = proxy.requests().subList(before, before + 3);
                assertEquals(List.of("HEAD hosts/web-1/desired.json", "GET hosts/web-1/desired.json", "HEAD remotes/prod.npc"),
                        requests(poll, prefix));
                assertTrue(poll.get(1).header("if-none-match") != null, "the GET stays conditional");
                assertFalse(poll.get(1).header("user-agent").startsWith("aws-sdk-java"), poll.get(1).header("user-agent"));
            }
        }
    }

    /**
     * A changed remote costs its poll one request more than no change, not two: HEAD desired.json
     * (the probe: unchanged), HEAD remote (the probe: changed), GET remote (conditional, through
     * the client, with the metadata that vouches for it), whose body the fetch step streams.
     * Before, a second HEAD of the remote came between its probe and its GET.
     */
    @Test
    void aChangedRemoteIsReadRightAfterTheProbeThatSawItChange() throws Exception {
        String prefix = "remote-" + tmp.getFileName();
        try (FaultProxy proxy = FaultProxy.start(S3.get().endpoint());
             TestFleet fleet = new TestFleet(tmp, S3.get().openThrough(proxy.endpointUrl(), prefix, null))) {
            fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                String v2 = fleet.publishSystem("prod", "v2");
                fleet.store.clearReads();
                int before = proxy.requests().size();
                fleet.clock.advance(Duration.ofSeconds(1));

                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());

                assertEquals(v2, fleet.localState().current().sha256(), "the remote's change, at the next poll");
                assertEquals(List.of("hosts/web-1/desired.json Probe UNCHANGED", "remotes/prod.npc Probe CHANGED",
                        "remotes/prod.npc Found"), fleet.store.reads(), "the fetch streams the body the poll opened");
                List<FaultProxy.Seen> poll = proxy.requests().subList(before, before + 3);
                assertEquals(List.of("HEAD hosts/web-1/desired.json", "HEAD remotes/prod.npc", "GET remotes/prod.npc"),
                        requests(poll, prefix));
                assertTrue(poll.get(2).header("if-none-match") != null, "the GET stays conditional");
            }
        }
    }

    /**
     * A desired.json cut or changed on the way (the answer's headers intact) is not acted on, and
     * nothing of it is remembered: the poll fails as a store error naming the document, and the
     * next poll reads it again and follows what was written. The flipped byte turns "web-3" into
     * "web-2": a valid document nobody wrote; the cut one does not parse.
     */
    @ParameterizedTest
    @EnumSource(value = FaultProxy.Fault.class, names = {"TRUNCATED_BODY", "CORRUPT_BODY"})
    void aDesiredJsonDamagedOnTheWayIsNotRememberedAndTheNextPollReadsIt(FaultProxy.Fault fault) throws Exception {
        String prefix = "damaged-" + tmp.getFileName();
        String head = "{\"remote\": \"prod\", \"configuration\": \"web-";
        // The proxy flips the body's middle byte: here the "3".
        String written = head + "3\"}" + " ".repeat(head.length() - 3);
        try (FaultProxy proxy = FaultProxy.start(S3.get().endpoint());
             TestFleet fleet = new TestFleet(tmp, S3.get().openThrough(proxy.endpointUrl(), prefix, null))) {
            fleet.publishSystem("prod", "v1");
            fleet.desired("{\"remote\": \"prod\"}");
            try (Daemon daemon = fleet.daemon()) {
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                fleet.system.clearCalls();
                fleet.desired(written);
                proxy.inject(fault, "GET", "/hosts/web-1/desired.json", 1);
                fleet.clock.advance(Duration.ofSeconds(1));

                assertEquals(1, daemon.follow(FollowLoop.Mode.ONCE), "the poll fails and says so");

                assertEquals(1, proxy.served(fault), proxy.log().toString());
                assertEquals(List.of(), fleet.system.commands(), "nothing built or switched");
                assertEquals("web-1", fleet.localState().current().configuration());
                String message = fleet.localState().message();
                assertTrue(message.startsWith("store read damaged, read again at the next poll: "
                        + "hosts/web-1/desired.json arrived damaged"), message);
                assertFalse(message.contains("\n"), message);
                assertTrue(fleet.err().contains("cannot poll"), fleet.err());

                fleet.clock.advance(Duration.ofSeconds(1));
                assertEquals(0, daemon.follow(FollowLoop.Mode.ONCE), fleet.err());
                assertEquals("web-3", fleet.localState().current().configuration(), "what was written, at the next poll");
            }
        }
    }

    /** Each request as {@code METHOD key}, the key relative to the store's prefix and without a query. */
    private static List<String> requests(List<FaultProxy.Seen> seen, String prefix) {
        return seen.stream().map(r -> {
            String path = r.path().replaceFirst("\\?.*", "");
            return r.method() + " " + path.substring(path.indexOf("/" + prefix + "/") + prefix.length() + 2);
        }).toList();
    }

    /** Every file under the directories, with when it was last written. */
    private static Map<Path, FileTime> files(Path... dirs) throws java.io.IOException {
        Map<Path, FileTime> files = new TreeMap<>();
        for (Path dir : dirs) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.filter(Files::isRegularFile).toList()) {
                    files.put(path, Files.getLastModifiedTime(path));
                }
            }
        }
        return files;
    }

    @Test
    void rollbackIsReportedThroughS3() throws Exception {
        try (TestFleet fleet = new TestFleet(tmp, S3.get().open("rollback-" + tmp.getFileName()))) {
            String initial = fleet.system.running();
            fleet.publish("prod", java.util.Map.of("system-name", "v2", "switch-fails", ""));
            fleet.desired("{\"remote\": \"prod\"}");

            assertEquals(1, fleet.run("follow", "--once"));

            assertEquals(initial, fleet.system.running());
            assertEquals(Result.ROLLED_BACK, fleet.bucketState().lastAttempt().result());
        }
    }
}
