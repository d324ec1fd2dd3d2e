package dev.npc.daemon.command;

import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.config.StateDirOption;
import dev.npc.daemon.control.Flags;
import dev.npc.files.OsFileLock;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.report.EventLog;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** What every subcommand shares: the state directory, the seams, the log. */
abstract class DaemonCommand {
    /** trigger and retry: no follow process runs to see the request now (it is kept for the next start). */
    static final int NO_DAEMON = 3;

    @ParentCommand
    NpcDaemon root;

    @Mixin
    StateDirOption stateDirOption;

    Seams seams() {
        return root.seams();
    }

    StateDir stateDir() {
        return stateDirOption.stateDir();
    }

    /**
     * Raises a request flag for the running daemon and says whether one runs to see it now.
     *
     * @return 0, or {@link #NO_DAEMON} when no {@code follow} holds {@code running.lock} (the flag stays
     *         for its next start)
     */
    int request(java.nio.file.Path flag, String answer) throws java.io.IOException {
        Flags.raise(flag);
        if (!new OsFileLock(stateDir().running()).isHeld()) {
            seams().err().println("npc-daemon: no npc-daemon follow is running with state directory " + stateDir().root()
                    + " (nothing holds " + stateDir().running().getFileName() + "): the request is kept and seen when"
                    + " one starts; start it (systemctl start npc) or run npc-daemon follow --once");
            seams().err().flush();
            return NO_DAEMON;
        }
        seams().out().println(answer);
        return 0;
    }

    EventLog log() {
        return new EventLog(seams().out(), seams().err(), root.debug());
    }
}
