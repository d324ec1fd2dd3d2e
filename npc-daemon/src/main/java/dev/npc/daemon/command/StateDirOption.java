package dev.npc.daemon.command;

import dev.npc.daemon.files.StateDir;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** {@code --state-dir}, shared by every command: flag, then NPC_STATE_DIR, then /var/lib/npc. */
public final class StateDirOption {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where the daemon keeps its config, state and flakes (env NPC_STATE_DIR; default /var/lib/npc).")
    String stateDir;

    public StateDir resolve(Map<String, String> env) {
        if (stateDir != null) {
            return new StateDir(Path.of(stateDir));
        }
        String fromEnv = env.get("NPC_STATE_DIR");
        return new StateDir(Path.of(fromEnv == null || fromEnv.isBlank() ? StateDir.DEFAULT : fromEnv));
    }
}
