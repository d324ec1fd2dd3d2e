package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = {"Wake the running daemon: it polls within a second instead of at the end of its interval.",
                "Works through a file in the state directory; no network port is opened."},
        footer = {"", "Example:", "  npc-daemon trigger"})
public final class TriggerCommand extends DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Flags.raise(stateDir().trigger());
        seams().out().println("triggered: a running npc-daemon polls within a second");
        return 0;
    }
}
