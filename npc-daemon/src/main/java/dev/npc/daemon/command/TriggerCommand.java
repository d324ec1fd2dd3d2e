package dev.npc.daemon.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = {"Wake the running daemon: it polls within a second.",
                "",
                "The daemon polls now instead of at the end of its interval. With --now, that poll also switches"
                        + " to a new version (and reboots, when a reboot is due and allowed) outside the maintenance"
                        + " window: once, for that poll only. This works through files in the state directory; no"
                        + " network port is opened. Exits 3 when no npc-daemon follow is running (the request is kept"
                        + " for its next start)."},
        footer = {"", "Examples:", "  npc-daemon trigger", "  npc-daemon trigger --now   # do not wait for the window, once"})
public final class TriggerCommand extends DaemonCommand implements Callable<Integer> {
    @Option(names = "--now", description = "Let this poll switch (and reboot) outside the maintenance window, once.")
    boolean now;

    @Override
    public Integer call() throws Exception {
        if (now) {
            dev.npc.daemon.control.Flags.raise(stateDir().now());
            return request(stateDir().trigger(), "triggered with --now: a running npc-daemon polls within a second"
                    + " and switches (and reboots, when due) without waiting for the maintenance window");
        }
        return request(stateDir().trigger(), "triggered: a running npc-daemon polls within a second");
    }
}
