package dev.npc.tests.cli;

import dev.npc.daemon.files.SequenceStore;
import dev.npc.daemon.stage.PollResult;
import dev.npc.daemon.stage.RemoteTrust;
import dev.npc.host.Result;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.remote.RemoteDownloader;
import dev.npc.trust.RemoteVerifier;
import dev.npc.daemon.stage.Poller;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.EmbeddedS3Mock;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One admin's day against Adobe's S3Mock instead of S3Proxy, so the commands are proven on a
 * second, independent S3 implementation: push twice, promote with the right and a wrong version,
 * hosts set, a daemon poll answered with 304s, status and wait.
 */
class S3MockJourneyTest {
    @TempDir
    Path tmp;

    @Test
    void pushPromoteHostsPollStatusAndWait() throws Exception {
        EmbeddedS3Mock mock = EmbeddedS3Mock.shared();
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);
        String prefix = "journey-" + UUID.randomUUID();
        List<String> common = List.of("--store", mock.storeUrl(prefix), "--endpoint-url", mock.endpointUrl());
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));

        try (Store store = mock.open(prefix)) {
            CliRun first = CliRun.npcWith(common, "push", "--src", flake.toString(), "--remote", "staging");
            assertEquals(0, first.exitCode(), first::toString);
            assertTrue(first.out().startsWith("pushed staging"), first::toString);
            CliRun again = CliRun.npcWith(common, "push", "--src", flake.toString(), "--remote", "staging");
            assertTrue(again.out().contains("unchanged"), again::toString);
            String v1 = store.head(Layout.remote("staging")).orElseThrow().meta(RemoteMetadata.SHA256);

            TestFlakes.write(flake, "modules/new.nix", "{ }\n");
            assertEquals(0, CliRun.npcWith(common, "push", "--src", flake.toString(), "--remote", "staging").exitCode());
            String v2 = store.head(Layout.remote("staging")).orElseThrow().meta(RemoteMetadata.SHA256);

            CliRun wrong = CliRun.npcWith(common, "promote", "staging", "prod", "--if-version", v1.substring(0, 8));
            assertEquals(1, wrong.exitCode(), wrong::toString);
            assertTrue(store.head(Layout.remote("prod")).isEmpty(), "nothing promoted");
            CliRun right = CliRun.npcWith(common, "promote", "staging", "prod", "--if-version", v2.substring(0, 8));
            assertEquals(0, right.exitCode(), right::toString);
            assertEquals(v2, store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256));

            CliRun set = CliRun.npcWith(common, "hosts", "set", "web-1", "--remote", "prod");
            assertEquals(0, set.exitCode(), set::toString);
            assertEquals("", set.err(), "prod exists: no warning");

            // The daemon's own poll: the first reads both documents, the second gets two 304s.
            Poller poller = new Poller(store, "web-1", tmp.resolve("poll.json"),
                    new RemoteTrust(List.of(), new RemoteDownloader(new Unpacker(UnpackLimits.DEFAULT),
                            RemoteVerifier.ACCEPT_ALL), SequenceStore.open(tmp.resolve("sequences.json"))));
            try (PollResult firstPoll = poller.poll()) {
                assertTrue(firstPoll.changed());
                assertEquals(v2, firstPoll.sha256());
                assertNotNull(firstPoll.remoteBody());
            }
            try (PollResult secondPoll = poller.poll()) {
                assertFalse(secondPoll.changed(), "desired.json and the remote both answered 304");
                assertNull(secondPoll.remoteBody());
                assertEquals(v2, secondPoll.sha256());
            }

            HostState state = StateBuilder.host("web-1").desired("prod", v2).running("prod", v2)
                    .attempted(v2, Result.SUCCESS).build();
            store.put(Layout.state("web-1"), Json.write(state), Map.of());

            CliRun status = CliRun.npcWith(common, "status");
            assertEquals(0, status.exitCode(), status::toString);
            assertTrue(status.out().contains("up to date"), status::toString);
            CliRun wait = CliRun.npcWith(common, "wait", "--remote", "prod", "--timeout", "10s", "--every", "100ms");
            assertEquals(0, wait.exitCode(), wait::toString);
            CliRun remotes = CliRun.npcWith(common, "remotes");
            assertEquals(0, remotes.exitCode(), remotes::toString);
            assertTrue(remotes.out().lines().filter(l -> l.startsWith("prod")).allMatch(l -> l.endsWith("ok")), remotes::toString);
        }
    }
}
