package dev.npc.daemon.command;

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
        return request(stateDir().retry(), "retry requested: the running npc-daemon tries the failed version again now");
    }
}
