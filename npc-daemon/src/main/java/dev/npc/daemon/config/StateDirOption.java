package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --state-dir}, shared by every command: the flag, else NPC_STATE_DIR, else /var/lib/npc. */
public final class StateDirOption {
    static final String NAME = "--state-dir";

    @Option(names = NAME, paramLabel = "DIR", defaultValue = "${env:NPC_STATE_DIR:-" + StateDir.DEFAULT + "}",
            description = "Where the daemon keeps its config.json, state and flakes. Also NPC_STATE_DIR; default: "
                    + StateDir.DEFAULT + ".")
    private Path stateDir;

    public StateDir stateDir() {
        return new StateDir(stateDir);
    }
}
