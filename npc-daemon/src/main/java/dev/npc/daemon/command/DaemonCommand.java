package dev.npc.daemon.command;

import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.config.StateDirOption;
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

    EventLog log() {
        return new EventLog(seams().out(), seams().err(), root.debug());
    }
}
