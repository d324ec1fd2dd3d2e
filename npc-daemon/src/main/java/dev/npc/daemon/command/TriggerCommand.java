package dev.npc.daemon.command;

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
        return request(stateDir().trigger(), "triggered: a running npc-daemon polls within a second");
    }
}
