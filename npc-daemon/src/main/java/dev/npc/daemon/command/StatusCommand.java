package dev.npc.daemon.command;

import dev.npc.daemon.control.PauseFile;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.report.Reporter;
import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.text.SafeText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show this host's state as the daemon last recorded it (no network needed).",
        footer = {"", "Examples:", "  npc-daemon status", "  npc-daemon status --json | jq .lastAttempt"})
public final class StatusCommand extends DaemonCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print state.json as it is (the schema the store holds).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        StateDir dir = stateDir();
        HostState state = Reporter.readLocal(dir);
        PrintStream out = seams().out();
        if (state == null) {
            if (Files.exists(dir.state())) {
                throw new IllegalStateException(dir.state() + " cannot be read; the next poll of npc-daemon follow rewrites it");
            }
            throw new IllegalStateException("no state in " + dir.root()
                    + " yet; start npc-daemon follow (or run npc-daemon install)");
        }
        if (json) {
            out.print(Json.writeString(state));
            return 0;
        }
        HostState.Paused localPause = new PauseFile(dir.paused()).current(seams().clock().instant());
        out.print(render(state, localPause, Files.exists(dir.outbox().resolve("state.pending"))));
        return 0;
    }

    static String render(HostState s, HostState.Paused localPause, boolean uploadPending) {
        StringBuilder out = new StringBuilder();
        row(out, "host", s.host());
        row(out, "phase", String.valueOf(s.phase()));
        HostState.Current c = s.current();
        row(out, "running", c == null ? "not recorded yet" : (c.sha256() == null ? "a system npc has not checked"
                : Sha256.shortForm(c.sha256()) + " " + c.remote() + "/" + c.configuration())
                + (c == null || c.system() == null ? "" : "  " + c.system())
                + (c == null || c.activatedAt() == null ? "" : "  since " + c.activatedAt()));
        HostState.DesiredRef d = s.desired();
        if (d == null) {
            row(out, "desired", "none");
        } else if (d.error() != null) {
            row(out, "desired", "ERROR: " + d.error());
        } else {
            row(out, "desired", Sha256.shortForm(d.sha256()) + " " + d.remote() + "/" + d.configuration()
                    + (c != null && d.sha256() != null && d.sha256().equals(c.sha256()) ? "  (up to date)" : "  (pending)"));
        }
        HostState.Attempt a = s.lastAttempt();
        if (a == null) {
            row(out, "last attempt", "none");
        } else {
            row(out, "last attempt", a.result() + " " + Sha256.shortForm(a.sha256()) + ", attempt " + a.attempt()
                    + (a.finishedAt() == null ? "" : ", " + a.finishedAt()));
            if (a.error() != null) {
                row(out, "error", a.error());
            }
            if (a.logTail() != null && a.result() != Result.SUCCESS) {
                out.append("log tail:\n");
                for (String line : a.logTail().split("\n")) {
                    out.append("  | ").append(SafeText.line(line)).append('\n');
                }
            }
        }
        HostState.Waiting w = s.waiting();
        if (w != null) {
            row(out, "waiting", "for window " + w.window() + " (next: " + w.next() + "): "
                    + Sha256.shortForm(w.sha256()) + " " + w.remote() + "/" + w.configuration() + " is built  " + w.system());
        }
        HostState.Reboot r = s.reboot();
        if (r != null) {
            row(out, "reboot", "required: " + r.reason() + " (booted " + r.booted() + ")"
                    + (r.next() != null ? "; reboots in the window (next: " + r.next() + ")"
                    : r.note() != null ? "; " + r.note() : ""));
        }
        HostState.Paused p = localPause != null ? localPause : s.paused();
        row(out, "paused", p == null ? "no" : "yes" + (p.reason() == null ? "" : " (" + p.reason() + ")")
                + (p.until() == null ? "" : " until " + p.until()));
        if (s.message() != null) {
            row(out, "note", s.message());
        }
        row(out, "reported", (s.updatedAt() == null ? "never" : s.updatedAt().toString())
                + (uploadPending ? "  (upload pending: the store was unreachable)" : ""));
        return out.toString();
    }

    /** Values quote text from the bucket (errors, names, build output): never printed raw. */
    private static void row(StringBuilder out, String label, String value) {
        out.append(String.format("%-13s %s%n", label, SafeText.line(value)));
    }
}
