package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import dev.npc.daemon.control.RunningLock;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "retry", mixinStandardHelpOptions = true,
        description = {"Try a version that failed and used up its retries once more.",
                "",
                "The running daemon tries it again at the next poll, which starts now. Exits 3 when no npc-daemon"
                        + " follow is running (the request is kept for its next start)."},
        footer = {"", "Example:", "  npc-daemon retry"})
public final class RetryCommand extends DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Flags.raise(stateDir().retry());
        if (!new RunningLock(stateDir().running()).isHeld()) {
            seams().err().println("npc-daemon: no npc-daemon follow is running with state directory " + stateDir().root()
                    + " (nothing holds " + stateDir().running().getFileName() + "): the request is kept and seen when"
                    + " one starts; start it (systemctl start npc) or run npc-daemon follow --once");
            seams().err().flush();
            return NO_DAEMON;
        }
        seams().out().println("retry requested: the running npc-daemon tries the failed version again now");
        return 0;
    }
}
