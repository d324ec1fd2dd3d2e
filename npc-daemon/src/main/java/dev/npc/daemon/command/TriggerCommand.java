package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import dev.npc.daemon.control.RunningLock;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = {"Wake the running daemon: it polls within a second.",
                "",
                "The daemon polls now instead of at the end of its interval. This works through a file in the"
                        + " state directory; no network port is opened. Exits 3 when no npc-daemon follow is"
                        + " running (the request is kept for its next start)."},
        footer = {"", "Example:", "  npc-daemon trigger"})
public final class TriggerCommand extends DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Flags.raise(stateDir().trigger());
        if (!new RunningLock(stateDir().running()).isHeld()) {
            seams().err().println("npc-daemon: no npc-daemon follow is running with state directory " + stateDir().root()
                    + " (nothing holds " + stateDir().running().getFileName() + "): the request is kept and seen when"
                    + " one starts; start it (systemctl start npc) or run npc-daemon follow --once");
            seams().err().flush();
            return NO_DAEMON;
        }
        seams().out().println("triggered: a running npc-daemon polls within a second");
        return 0;
    }
}
