package dev.npc.daemon.report;

import dev.npc.files.AtomicFiles;
import dev.npc.host.HostState;
import dev.npc.host.Phase;
import dev.npc.host.Result;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Prometheus metrics in text format, written atomically for node_exporter's textfile collector
 * (which must never read a half-written file). Counters live for the process, as Prometheus
 * counters may: a restart shows as a reset, which rate() handles.
 *
 * <p>The file is written when a figure other than the poll time changed, and otherwise once per
 * heartbeat ({@link HostState#HEARTBEAT}): an unchanged poll writes nothing to disk, and
 * {@code npc_last_poll_timestamp_seconds} is at most one heartbeat behind the last poll.
 */
public final class Metrics {
    private final Path file;
    private final EventLog log;
    private Instant lastPoll;
    private Instant lastSuccess;
    private long attempts;
    private long failures;
    private long pollErrors;
    private HostState state;
    /** What the file holds apart from the poll time, and the poll time it holds; null before the first write. */
    private String written;
    private Instant writtenPoll;
    /**
     * Set when something the figures are made of changed since they were last compared with the
     * file: an unchanged poll then neither renders nor compares them.
     */
    private boolean changedSinceWritten = true;

    /** @param file where to write, or null to keep metrics off */
    public Metrics(Path file, EventLog log) {
        this.file = file;
        this.log = log;
    }

    public void polled(Instant when, boolean ok) {
        lastPoll = when;
        if (!ok) {
            pollErrors++;
            changedSinceWritten = true;
        }
        write();
    }

    public void attemptFinished(HostState.Attempt attempt) {
        attempts++;
        if (attempt.result() == Result.SUCCESS) {
            lastSuccess = attempt.finishedAt();
        } else {
            failures++;
        }
        changedSinceWritten = true;
        write();
    }

    public void stateChanged(HostState newState) {
        this.state = newState;
        changedSinceWritten = true;
        write();
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        gauge(out, "npc_last_poll_timestamp_seconds", "Time of the last poll of the store.", labels(), seconds(lastPoll));
        return out.append(renderFigures()).toString();
    }

    private String labels() {
        return "host=\"" + escape(state == null ? "" : state.host()) + "\"";
    }

    /** Everything but the poll time. */
    private String renderFigures() {
        String h = labels();
        StringBuilder out = new StringBuilder();
        gauge(out, "npc_last_success_timestamp_seconds", "Time of the last successful activation attempt.", h,
                seconds(lastSuccess));
        counter(out, "npc_attempts_total", "Activation attempts since the daemon started.", h, attempts);
        counter(out, "npc_failures_total", "Failed or rolled-back attempts since the daemon started.", h, failures);
        counter(out, "npc_poll_errors_total", "Polls that could not reach the store.", h, pollErrors);
        HostState.Current current = state == null ? null : state.current();
        out.append("# HELP npc_current_version_info The version this host runs (labels), always 1.\n")
           .append("# TYPE npc_current_version_info gauge\n");
        if (current != null) {
            out.append("npc_current_version_info{").append(h)
               .append(",remote=\"").append(escape(current.remote()))
               .append("\",version=\"").append(escape(current.sha256()))
               .append("\",configuration=\"").append(escape(current.configuration()))
               .append("\",system=\"").append(escape(current.system())).append("\"} 1\n");
        }
        out.append("# HELP npc_phase The daemon's phase: 1 for the current one.\n# TYPE npc_phase gauge\n");
        Phase phase = state == null ? Phase.IDLE : state.phase();
        for (Phase p : Phase.known()) {
            out.append("npc_phase{").append(h).append(",phase=\"").append(p).append("\"} ")
               .append(p == phase ? 1 : 0).append('\n');
        }
        HostState.Attempt last = state == null ? null : state.lastAttempt();
        gauge(out, "npc_last_attempt_failed", "1 when the last attempt failed, was rolled back or interrupted.", h,
                last == null || last.result() == Result.SUCCESS ? 0 : 1);
        gauge(out, "npc_paused", "1 while updates are paused.", h, state != null && state.paused() != null ? 1 : 0);
        gauge(out, "npc_desired_error", "1 while desired.json or its remote cannot be used.", h,
                state != null && state.desired() != null && state.desired().error() != null ? 1 : 0);
        gauge(out, "npc_waiting_for_window", "1 while a built version waits for the maintenance window.", h,
                state != null && state.waiting() != null ? 1 : 0);
        gauge(out, "npc_reboot_required", "1 while the running system needs a reboot (kernel, initrd or kernel"
                + " parameters changed).", h, state != null && state.reboot() != null ? 1 : 0);
        return out.toString();
    }

    private void write() {
        if (file == null) {
            return;
        }
        boolean heartbeat = writtenPoll == null
                || lastPoll != null && !lastPoll.isBefore(writtenPoll.plus(HostState.HEARTBEAT));
        if (!changedSinceWritten && !heartbeat) {
            return;
        }
        String figures = renderFigures();
        changedSinceWritten = false;
        if (figures.equals(written) && !heartbeat) {
            return;
        }
        try {
            AtomicFiles.write(file, render());
            written = figures;
            writtenPoll = lastPoll;
        } catch (IOException e) {
            changedSinceWritten = true; // tried again at the next poll
            log.warn("cannot write metrics to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
           .append("# TYPE ").append(name).append(" gauge\n")
           .append(name).append('{').append(labels).append("} ").append(number(value)).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, String labels, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
           .append("# TYPE ").append(name).append(" counter\n")
           .append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static double seconds(Instant instant) {
        return instant == null ? 0 : instant.toEpochMilli() / 1000.0;
    }

    /** Plain decimal notation (1795341600.123, not 1.795341600123E9): easier for people and every parser. */
    private static String number(double value) {
        return java.math.BigDecimal.valueOf(value).setScale(3, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros().toPlainString();
    }

    private static String escape(String value) {
        return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
