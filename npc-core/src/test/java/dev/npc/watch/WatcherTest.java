package dev.npc.watch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.fleet.FleetReader;
import dev.npc.host.Desired;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.WebhookReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watcher against a real file store and a real HTTP receiver on loopback: each fact sent once
 * over many looks, delivered through a receiver's outage, not resent after a restart, hostile text
 * escaped, a command fed the event.
 */
class WatcherTest {
    private static final String V1 = "a".repeat(64);
    private static final String V2 = "b".repeat(64);

    @TempDir
    Path tmp;
    Store store;
    WebhookReceiver receiver;
    MutableClock clock;
    Path statePath;
    final List<String> log = new ArrayList<>();
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        store = Stores.open(tmp.resolve("store").toUri().toString(), StoreOptions.DEFAULT);
        receiver = WebhookReceiver.start();
        clock = new MutableClock(Instant.now());
        statePath = tmp.resolve("state/watch.json");
        publish("prod", V1);
        for (String host : List.of("web-1", "web-2")) {
            store.put(Layout.desired(host), Json.write(Desired.of("prod")), Map.of());
            report(StateBuilder.host(host).at(clock.instant()).desired("prod", V1).running("prod", V1));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        receiver.close();
        store.close();
    }

    private void publish(String remote, String version) throws Exception {
        store.put(Layout.remote(remote), new byte[]{1}, new RemoteMetadata(1, version, 1, null, null, null).toMap());
    }

    private void report(StateBuilder state) throws Exception {
        var built = state.build();
        store.put(Layout.state(built.host()), Json.write(built), Map.of());
    }

    private StateBuilder failing(String host, String version, Result result, String error) {
        return StateBuilder.host(host).at(clock.instant()).desired("prod", version).running("prod", V1)
                .attempted(version, result, error, null);
    }

    private Watcher watcher(Destination... destinations) throws Exception {
        StateFile file = StateFile.open(statePath);
        open.add(file);
        return new Watcher(store, new FleetReader(store, 4), 3, List.of(destinations), file, clock,
                clock::advance, new Backoff(new Random(1)), log::add);
    }

    /** Delivers until nothing waits, letting the clock run as the backoff asks (at most {@code rounds} rounds). */
    private int deliverAll(Watcher watcher, int rounds) throws Exception {
        int waiting = watcher.deliver(false);
        for (int i = 0; i < rounds && waiting > 0; i++) {
            clock.set(watcher.nextDue().orElseThrow());
            waiting = watcher.deliver(false);
        }
        return waiting;
    }

    @Test
    void eachChangeIsSentOnceOverManyLooksAndARecoveryEndsIt() throws Exception {
        Watcher watcher = watcher(WebhookDestination.of(receiver.url()));
        assertEquals(List.of(), watcher.look(), "a healthy fleet has nothing to say");

        publish("prod", V2);
        report(failing("web-2", V2, Result.FAILED, "build failed"));
        for (int i = 0; i < 4; i++) {
            watcher.look();
            assertEquals(0, watcher.deliver(false));
            clock.advance(Duration.ofSeconds(30));
        }
        assertEquals(List.of("host-failed/web-2/" + V2), receiver.acceptedIds());
        JsonNode event = receiver.accepted().get(0);
        assertEquals("host-failed", event.get("event").asText());
        assertEquals("web-2", event.get("host").asText());
        assertEquals("prod", event.get("remote").asText());
        assertEquals(V2, event.get("version").asText());
        assertEquals("build failed", event.get("detail").asText());
        assertTrue(event.get("text").asText().contains("web-2 failed on prod bbbbbbbb: build failed"), event.toString());

        // A retry (in progress) that fails again on the same version is the same fact.
        report(StateBuilder.host("web-2").at(clock.instant()).desired("prod", V2).running("prod", V1)
                .phase(dev.npc.host.Phase.BUILDING));
        watcher.look();
        report(failing("web-2", V2, Result.FAILED, "build failed again"));
        watcher.look();
        // Rolled back on it is a new fact; then it is fixed.
        report(failing("web-2", V2, Result.ROLLED_BACK, "nginx.service failed"));
        watcher.look();
        report(StateBuilder.host("web-2").at(clock.instant()).desired("prod", V2).running("prod", V2));
        report(StateBuilder.host("web-1").at(clock.instant()).desired("prod", V2).running("prod", V2));
        watcher.look();
        watcher.look();
        assertEquals(0, watcher.deliver(false));
        assertEquals(List.of("host-failed/web-2/" + V2, "host-rolled-back/web-2/" + V2, "host-recovered/web-2/" + V2),
                receiver.acceptedIds());
    }

    @Test
    void aReceiverThatFailsAndRecoversGetsTheEventOnceAndOthersAreNotHeldUp() throws Exception {
        receiver.failing(3, 500);
        List<String> ran = new ArrayList<>();
        Destination other = new Destination() {
            @Override public String id() { return "other"; }
            @Override public String describe() { return "other"; }
            @Override public Delivery deliver(WatchEvent event) {
                ran.add(event.id());
                return new Delivered();
            }
        };
        Watcher watcher = watcher(WebhookDestination.of(receiver.url()), other);
        publish("prod", V2);
        report(failing("web-1", V2, Result.ROLLED_BACK, "health check failed"));
        watcher.look();
        assertEquals(1, watcher.deliver(false), "the webhook's event waits; the other destination got it");
        assertEquals(List.of("host-rolled-back/web-1/" + V2), ran);

        assertEquals(0, deliverAll(watcher, 10));
        assertEquals(4, receiver.requests(), "three 500s, then the delivery");
        assertEquals(List.of("host-rolled-back/web-1/" + V2), receiver.acceptedIds());
        assertTrue(log.stream().anyMatch(l -> l.contains("could not send") && l.contains("answered 500")
                && !l.contains("secret-token")), "the failure is logged, the URL's secret path is not: " + log);
        watcher.look();
        assertEquals(0, watcher.deliver(true));
        assertEquals(4, receiver.requests());
    }

    @Test
    void aRefusedEventIsTriedABoundedNumberOfTimesThenDropped() throws Exception {
        receiver.failing(100, 404);
        Watcher watcher = watcher(WebhookDestination.of(receiver.url()));
        report(StateBuilder.host("web-1").at(clock.instant().minus(Duration.ofHours(2))).desired("prod", V1).running("prod", V1));
        watcher.look();
        assertEquals(0, deliverAll(watcher, 10));
        assertEquals(Watcher.MAX_REFUSED_TRIES, receiver.requests());
        assertEquals(1, log.stream().filter(l -> l.startsWith("could not send")).count(), "a refusal is logged once: " + log);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("dropped host-stale/web-1/") && l.contains("answered 404")), log.toString());
    }

    @Test
    void aRestartResendsOnlyWhatWasNotDelivered() throws Exception {
        publish("prod", V2);
        report(failing("web-1", V2, Result.FAILED, "eval error"));
        Watcher first = watcher(WebhookDestination.of(receiver.url()));
        first.look();
        assertEquals(0, first.deliver(false));
        report(failing("web-2", V2, Result.FAILED, "eval error"));
        receiver.failing(1, 503);
        first.look();
        assertEquals(1, first.deliver(false), "web-2's event is kept for later");
        open.remove(0).close();

        // A new process: same state file, same fleet.
        Watcher second = watcher(WebhookDestination.of(receiver.url()));
        assertEquals(List.of(), second.look(), "nothing new in the fleet");
        assertEquals(0, second.deliver(true));
        assertEquals(List.of("host-failed/web-1/" + V2, "host-failed/web-2/" + V2), receiver.acceptedIds());
        assertTrue(log.contains("1 undelivered event(s) from the last run; sending them first"), log.toString());
        assertThrows(java.io.IOException.class, () -> StateFile.open(statePath), "a second watcher on the same file");
    }

    @Test
    void theFirstStartSendsTheCurrentProblemsOnceAndAStoppedRolloutOnce() throws Exception {
        report(StateBuilder.host("web-2").at(clock.instant().minus(Duration.ofHours(1))).desired("prod", V1).running("prod", V1));
        store.put(Layout.ROLLOUT, ("{\"schema\":1,\"from\":\"staging\",\"version\":\"" + V2 + "\",\"startedAt\":\"2026-12-01T10:00:00Z\","
                + "\"updatedAt\":\"2026-12-01T10:05:00Z\",\"state\":\"stopped\",\"waves\":[{\"remote\":\"prod-canary\",\"state\":\"failed\","
                + "\"detail\":\"canary-1 rolled back\"},{\"remote\":\"prod\",\"state\":\"not-reached\"}]}").getBytes(StandardCharsets.UTF_8), Map.of());
        Watcher watcher = watcher(WebhookDestination.of(receiver.url()));
        watcher.look();
        watcher.look();
        assertEquals(0, watcher.deliver(false));
        assertEquals(List.of("host-stale/web-2/" + V1, "rollout-stopped/" + V2 + "@2026-12-01T10:00:00Z"), receiver.acceptedIds());
        JsonNode rollout = receiver.accepted().get(1);
        assertEquals("prod-canary", rollout.get("remote").asText());
        assertTrue(rollout.get("text").asText().endsWith("rollout of staging bbbbbbbb stopped at prod-canary: canary-1 rolled back"),
                rollout.toString());
        assertTrue(rollout.get("host").isNull());
    }

    @Test
    void aHostsHostileErrorArrivesInert() throws Exception {
        publish("prod", V2);
        String hostile = "<!channel> \u001b]8;;https://evil\u0007click\u001b]8;;\u0007 @here <https://evil.example|docs> & \u202eevil\nsecond line";
        report(failing("web-1", V2, Result.FAILED, hostile));
        Watcher watcher = watcher(WebhookDestination.of(receiver.url()));
        watcher.look();
        assertEquals(0, watcher.deliver(false));
        String text = receiver.accepted().get(0).get("text").asText();
        assertTrue(text.contains("&lt;!channel&gt;"), text);
        assertTrue(text.contains("&lt;https://evil.example|docs&gt; &amp; "), text);
        assertTrue(text.contains("\uFF20here"), text);
        assertFalse(text.contains("<") || text.contains(">") || text.contains("@here"), text);
        assertTrue(text.codePoints().noneMatch(dev.npc.text.SafeText::unsafe), "no control or bidi character: " + text);
        assertTrue(text.endsWith("evil second line"), text);
        String detail = receiver.accepted().get(0).get("detail").asText();
        assertTrue(detail.codePoints().noneMatch(dev.npc.text.SafeText::unsafe), detail);
    }

    @Test
    void anOnChangeCommandGetsTheEventOnStdinAndInItsEnvironment() throws Exception {
        Path out = tmp.resolve("event.json");
        Path env = tmp.resolve("event.env");
        String command = "cat > '" + out + "'; echo \"$NPC_EVENT $NPC_EVENT_HOST $NPC_EVENT_VERSION\" > '" + env + "'";
        publish("prod", V2);
        report(failing("web-2", V2, Result.ROLLED_BACK, "degraded"));
        Watcher watcher = watcher(new CommandDestination(command, new SystemProcessRunner()));
        watcher.look();
        assertEquals(0, watcher.deliver(false), log.toString());
        JsonNode event = Json.mapper().readTree(out.toFile());
        assertEquals("host-rolled-back", event.get("event").asText());
        assertEquals("degraded", event.get("detail").asText());
        assertEquals("host-rolled-back web-2 " + V2, Files.readString(env).strip());
    }

    /** The command line is the admin's; what the bucket says reaches it only as data, never as shell syntax. */
    @Test
    void hostileTextInAnEventIsDataToTheCommandNeverShellSyntax() throws Exception {
        Path out = tmp.resolve("detail.txt");
        Path pwned = tmp.resolve("pwned");
        String hostile = "$(touch " + pwned + "); touch " + pwned + " `touch " + pwned + "`";
        publish("prod", V2);
        report(failing("web-2", V2, Result.ROLLED_BACK, hostile));
        Watcher watcher = watcher(new CommandDestination("printf '%s' \"$NPC_EVENT_DETAIL\" > '" + out + "'",
                new SystemProcessRunner()));
        watcher.look();
        assertEquals(0, watcher.deliver(false), log.toString());
        assertEquals(hostile, Files.readString(out));
        assertFalse(Files.exists(pwned), "the event's text ran as a command");
    }

    @Test
    void aCommandThatFailsIsTriedAgain() throws Exception {
        Path marker = tmp.resolve("marker");
        // Fails the first time (creates the marker), succeeds the next.
        String command = "test -e '" + marker + "' || { touch '" + marker + "'; echo not yet >&2; exit 3; }";
        report(StateBuilder.host("web-1").at(clock.instant().minus(Duration.ofHours(2))).desired("prod", V1).running("prod", V1));
        Watcher watcher = watcher(new CommandDestination(command, new SystemProcessRunner()));
        watcher.look();
        assertEquals(1, watcher.deliver(false));
        assertTrue(log.stream().anyMatch(l -> l.contains("exited 3: not yet")), log.toString());
        assertEquals(0, deliverAll(watcher, 3));
    }

    @Test
    void theResidentLoopLooksEveryIntervalAndRetriesInBetween() throws Exception {
        receiver.failing(2, 503);
        publish("prod", V2);
        report(failing("web-1", V2, Result.FAILED, "eval error"));
        StateFile file = StateFile.open(statePath);
        open.add(file);
        List<Duration> sleeps = new ArrayList<>();
        Watcher watcher = new Watcher(store, new FleetReader(store, 4), 3, List.of(WebhookDestination.of(receiver.url())),
                file, clock, duration -> {
                    sleeps.add(duration);
                    if (sleeps.size() == 6) {
                        throw new InterruptedException("stop");
                    }
                    clock.advance(duration);
                }, new Backoff(new Random(1)), log::add);
        assertThrows(InterruptedException.class, () -> watcher.run(Duration.ofSeconds(30)));
        assertEquals(List.of("host-failed/web-1/" + V2), receiver.acceptedIds());
        assertEquals(3, receiver.requests());
        assertTrue(sleeps.get(0).compareTo(Duration.ofSeconds(30)) < 0, "a retry comes before the next look: " + sleeps);
        assertTrue(sleeps.stream().allMatch(d -> d.compareTo(Duration.ofSeconds(30)) <= 0), sleeps.toString());
    }

    /** The clock the watcher reads; its sleeper moves it instead of waiting. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        synchronized void advance(Duration duration) {
            now = now.plus(duration);
        }

        synchronized void set(Instant instant) {
            if (instant.isAfter(now)) {
                now = instant;
            }
        }

        @Override public synchronized Instant instant() { return now; }
        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
    }
}
