package dev.npc.daemon.report;

import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.testing.StateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The textfile collector's input is read by dashboards and alerts: its lines stay exactly these. */
class MetricsTest {
    static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
    static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void rendersThePhaseTheVersionAndTheLastAttempt() {
        Metrics metrics = new Metrics(null, new EventLog(NOWHERE, NOWHERE, false));
        metrics.polled(T, true);
        metrics.polled(T.plusSeconds(60), false);
        HostState.Attempt failed = HostState.Attempt.ended("2".repeat(64), Result.FAILED, 1, T, T.plusSeconds(30))
                .withError("nix build failed", null);
        HostState.Attempt succeeded = HostState.Attempt.ended("1".repeat(64), Result.SUCCESS, 1, T, T.plusMillis(1500));
        metrics.attemptFinished(succeeded);
        metrics.attemptFinished(failed);
        metrics.stateChanged(StateBuilder.host("web-1").at(T).phase(Phase.CHECKING)
                .current(new HostState.Current("prod", "1".repeat(64), "web-1", "/nix/store/a-nixos-system-web-1", T))
                .attempt(failed).paused(new HostState.Paused(T, null, null)).build());
        assertEquals("""
                # HELP npc_last_poll_timestamp_seconds Time of the last poll of the store.
                # TYPE npc_last_poll_timestamp_seconds gauge
                npc_last_poll_timestamp_seconds{host="web-1"} 1795341660
                # HELP npc_last_success_timestamp_seconds Time of the last successful activation attempt.
                # TYPE npc_last_success_timestamp_seconds gauge
                npc_last_success_timestamp_seconds{host="web-1"} 1795341601.5
                # HELP npc_attempts_total Activation attempts since the daemon started.
                # TYPE npc_attempts_total counter
                npc_attempts_total{host="web-1"} 2
                # HELP npc_failures_total Failed or rolled-back attempts since the daemon started.
                # TYPE npc_failures_total counter
                npc_failures_total{host="web-1"} 1
                # HELP npc_poll_errors_total Polls that could not reach the store.
                # TYPE npc_poll_errors_total counter
                npc_poll_errors_total{host="web-1"} 1
                # HELP npc_current_version_info The version this host runs (labels), always 1.
                # TYPE npc_current_version_info gauge
                npc_current_version_info{host="web-1",remote="prod",version="<v1>",configuration="web-1",system="/nix/store/a-nixos-system-web-1"} 1
                # HELP npc_phase The daemon's phase: 1 for the current one.
                # TYPE npc_phase gauge
                npc_phase{host="web-1",phase="idle"} 0
                npc_phase{host="web-1",phase="downloading"} 0
                npc_phase{host="web-1",phase="building"} 0
                npc_phase{host="web-1",phase="activating"} 0
                npc_phase{host="web-1",phase="checking"} 1
                npc_phase{host="web-1",phase="rolling-back"} 0
                npc_phase{host="web-1",phase="rebooting"} 0
                # HELP npc_last_attempt_failed 1 when the last attempt failed, was rolled back or interrupted.
                # TYPE npc_last_attempt_failed gauge
                npc_last_attempt_failed{host="web-1"} 1
                # HELP npc_paused 1 while updates are paused.
                # TYPE npc_paused gauge
                npc_paused{host="web-1"} 1
                # HELP npc_desired_error 1 while desired.json or its remote cannot be used.
                # TYPE npc_desired_error gauge
                npc_desired_error{host="web-1"} 0
                # HELP npc_waiting_for_window 1 while a built version waits for the maintenance window.
                # TYPE npc_waiting_for_window gauge
                npc_waiting_for_window{host="web-1"} 0
                # HELP npc_reboot_required 1 while the running system needs a reboot (kernel, initrd or kernel parameters changed).
                # TYPE npc_reboot_required gauge
                npc_reboot_required{host="web-1"} 0
                """.replace("<v1>", "1".repeat(64)), metrics.render());
    }

    /**
     * An unchanged poll leaves the file alone (each write is a new file renamed into place, so the
     * file key shows a write); a changed figure, a poll error or a due heartbeat writes it; a write
     * that failed is made again at the next poll, even one that changes nothing.
     */
    @Test
    void writesTheFileOnlyWhenAFigureChangedOrAHeartbeatIsDue(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("npc.prom");
        Metrics metrics = new Metrics(file, new EventLog(NOWHERE, NOWHERE, false));
        HostState idle = StateBuilder.host("web-1").at(T).phase(Phase.IDLE).build();
        metrics.stateChanged(idle);
        metrics.polled(T, true);
        Object first = key(file);
        metrics.polled(T.plusSeconds(1), true);
        metrics.stateChanged(idle);
        metrics.polled(T.plusSeconds(2), true);
        assertEquals(first, key(file), "nothing changed: not written");
        assertTrue(Files.readString(file).contains("npc_last_poll_timestamp_seconds{host=\"web-1\"} " + T.getEpochSecond()));

        metrics.stateChanged(StateBuilder.host("web-1").at(T).phase(Phase.BUILDING).build());
        Object building = key(file);
        assertNotEquals(first, building);
        assertTrue(Files.readString(file).contains("npc_phase{host=\"web-1\",phase=\"building\"} 1"));

        metrics.polled(T.plusSeconds(3), false);
        assertTrue(Files.readString(file).contains("npc_poll_errors_total{host=\"web-1\"} 1"));
        Object error = key(file);

        Instant heartbeat = T.plusSeconds(3).plus(HostState.HEARTBEAT);
        metrics.polled(heartbeat.minusSeconds(1), true);
        assertEquals(error, key(file));
        metrics.polled(heartbeat, true);
        assertTrue(Files.readString(file).contains("npc_last_poll_timestamp_seconds{host=\"web-1\"} "
                + heartbeat.getEpochSecond()));

        Files.delete(file);
        Files.createDirectory(file); // the next write fails
        metrics.stateChanged(idle);
        Files.delete(file);
        metrics.polled(heartbeat.plusSeconds(1), true);
        assertTrue(Files.readString(file).contains("npc_phase{host=\"web-1\",phase=\"idle\"} 1"),
                "the failed write is made at the next poll");
    }

    private static Object key(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
