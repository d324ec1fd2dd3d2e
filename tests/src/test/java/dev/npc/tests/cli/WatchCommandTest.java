package dev.npc.tests.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestFlakes;
import dev.npc.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** npc watch --once as CI runs it: the real command line, a file store, a webhook receiver on loopback. */
class WatchCommandTest {
    @TempDir
    Path tmp;
    String storeUrl;
    Store store;
    WebhookReceiver receiver;
    String version;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        receiver = WebhookReceiver.start();
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        version = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        for (String host : List.of("web-1", "web-2")) {
            assertEquals(0, npc("hosts", "set", host, "--remote", "prod").exitCode());
        }
        report(StateBuilder.host("web-1").desired("prod", version).running("prod", version));
        report(StateBuilder.host("web-2").at(Instant.now().plusSeconds(5)).desired("prod", version)
                .attempted(version, Result.ROLLED_BACK, "nginx.service failed <!channel>", null));
    }

    @AfterEach
    void tearDown() {
        receiver.close();
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl), args);
    }

    private void report(StateBuilder state) throws Exception {
        var built = state.build();
        store.put(Layout.state(built.host()), Json.write(built), Map.of());
    }

    @Test
    void onceSendsEachChangeOnceToEveryDestinationAcrossRuns() throws Exception {
        Path state = tmp.resolve("watch.json");
        Path events = tmp.resolve("events");
        String onChange = "cat >> '" + events + "'; echo >> '" + events + "'";

        CliRun first = npc("watch", "--once", "--webhook", receiver.url(), "--on-change", onChange, "--state", state.toString());
        assertEquals(0, first.exitCode(), first::toString);
        assertTrue(first.out().contains("sent host-rolled-back/web-2/" + version + " to webhook http://127.0.0.1:"), first.out());
        assertTrue(!first.out().contains("secret-token"), "the webhook's path is its secret: " + first.out());
        CliRun again = npc("watch", "--once", "--webhook", receiver.url(), "--on-change", onChange, "--state", state.toString());
        assertEquals(0, again.exitCode(), again::toString);

        assertEquals(List.of("host-rolled-back/web-2/" + version), receiver.acceptedIds());
        JsonNode sent = receiver.accepted().get(0);
        assertTrue(sent.get("text").asText().endsWith("web-2 rolled back prod " + version.substring(0, 8)
                + ": nginx.service failed &lt;!channel&gt;"), sent.toString());
        List<String> commandGot = Files.readAllLines(events).stream().filter(l -> !l.isBlank()).toList();
        assertEquals(1, commandGot.stream().filter(l -> l.contains("\"event\" : \"host-rolled-back\"")).count(),
                "one event, once, on the command's stdin: " + commandGot);

        // The host is fixed: the next run says so.
        report(StateBuilder.host("web-2").at(Instant.now().plusSeconds(10)).desired("prod", version).running("prod", version));
        assertEquals(0, npc("watch", "--once", "--webhook", receiver.url(), "--state", state.toString()).exitCode());
        assertEquals(List.of("host-rolled-back/web-2/" + version, "host-recovered/web-2/" + version), receiver.acceptedIds());
    }

    @Test
    void aReceiverThatIsDownFailsTheRunAndTheNextRunDelivers() throws Exception {
        Path state = tmp.resolve("watch.json");
        receiver.failing(1, 502);
        CliRun down = npc("watch", "--once", "--webhook", receiver.url(), "--state", state.toString());
        assertEquals(1, down.exitCode(), down::toString);
        assertTrue(down.err().contains("1 event(s) could not be delivered; they are kept in " + state), down.err());
        CliRun up = npc("watch", "--once", "--webhook", receiver.url(), "--state", state.toString());
        assertEquals(0, up.exitCode(), up::toString);
        assertTrue(up.out().contains("(try 2)"), up.out());
        assertEquals(List.of("host-rolled-back/web-2/" + version), receiver.acceptedIds());
    }

    @Test
    void badDestinationsAreUsageErrorsThatSayWhatToGive() {
        CliRun none = npc("watch", "--once");
        assertEquals(2, none.exitCode(), none::toString);
        assertTrue(none.err().contains("give --webhook URL, --webhook-file FILE or --on-change CMD"), none.err());
        CliRun ftp = npc("watch", "--once", "--webhook", "ftp://example.com/hook/secret-part");
        assertEquals(2, ftp.exitCode(), ftp::toString);
        assertTrue(ftp.err().contains("is not an http:// or https:// URL") && !ftp.err().contains("secret-part"), ftp.err());
        CliRun blank = npc("watch", "--once", "--on-change", " ");
        assertEquals(2, blank.exitCode(), blank::toString);
        assertTrue(blank.err().contains("--on-change is empty; give a command line"), blank.err());
        // A line the shell cannot parse fails where it runs, in the shell's words, and the event waits.
        Path state = tmp.resolve("watch.json");
        CliRun quote = npc("watch", "--once", "--on-change", "notify 'unclosed", "--state", state.toString());
        assertEquals(1, quote.exitCode(), quote::toString);
        assertTrue(quote.err().contains("command notify exited 2") || quote.out().contains("command notify exited 2"),
                quote::toString);
    }
}
