package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "retry", mixinStandardHelpOptions = true,
        description = {"Try a version that failed (and used up its retries) again, at the next poll, which starts now."},
        footer = {"", "Example:", "  npc-daemon retry"})
public final class RetryCommand extends DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        Flags.raise(stateDir().retry());
        seams().out().println("retry requested: the running npc-daemon tries the failed version again now");
        return 0;
    }
}
