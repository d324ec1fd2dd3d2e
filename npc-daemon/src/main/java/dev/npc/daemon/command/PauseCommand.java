package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import dev.npc.daemon.control.PauseFile;
import dev.npc.daemon.files.StateDir;
import dev.npc.host.HostState.Paused;
import dev.npc.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = {"Stop activating new versions on this host (polling and reporting go on).",
                "",
                "The pause shows in npc status; it ends with npc-daemon unpause or after --for."},
        footer = {"", "Examples:", "  npc-daemon pause --for 2h --reason \"debugging nginx\"", "  npc-daemon pause"})
public final class PauseCommand extends DaemonCommand implements Callable<Integer> {
    @Option(names = "--for", paramLabel = "DURATION", description = "End the pause by itself after this long (e.g. 30m, 2h).")
    String duration;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the people reading npc status.")
    String reason;

    @Override
    public Integer call() throws Exception {
        StateDir dir = stateDir();
        Instant now = seams().clock().instant();
        Instant until = null;
        if (duration != null) {
            Duration d;
            try {
                d = Durations.parse(duration);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--for: " + e.getMessage());
            }
            until = now.plus(d);
        }
        new PauseFile(dir.paused()).pause(new Paused(now, until, reason));
        Flags.raise(dir.trigger());
        seams().out().println("paused" + (until == null ? " until npc-daemon unpause" : " until " + until)
                + (reason == null ? "" : ": " + reason));
        return 0;
    }
}
