package dev.npc.daemon.command;

import dev.npc.daemon.control.Flags;
import dev.npc.daemon.control.PauseFile;
import dev.npc.daemon.files.StateDir;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "unpause", mixinStandardHelpOptions = true,
        description = {"End a pause set with npc-daemon pause; the daemon polls at once.",
                "",
                "A pause set in desired.json (npc hosts set --paused) stays."},
        footer = {"", "Example:", "  npc-daemon unpause"})
public final class UnpauseCommand extends DaemonCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        StateDir dir = stateDir();
        boolean was = new PauseFile(dir.paused()).unpause();
        Flags.raise(dir.trigger());
        seams().out().println(was ? "unpaused" : "was not paused");
        return 0;
    }
}
