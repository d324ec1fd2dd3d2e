package dev.npc.daemon.loop;

import dev.npc.daemon.stage.RunningSystem;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Notices when a switch brought in a different npc-daemon. The daemon's unit is not restarted by
 * switch-to-configuration (that would kill it mid-switch), so after reporting it exits cleanly
 * and systemd starts the new one.
 */
public final class SelfUpdate {
    private final Path selfPath;

    /** @param selfPath this daemon's launcher ({@code NPC_SELF_PATH}), or null to never restart */
    public SelfUpdate(Path selfPath) {
        this.selfPath = selfPath;
    }

    public boolean changedBy(String toplevel) {
        if (selfPath == null || toplevel == null) {
            return false;
        }
        Path next = Path.of(toplevel, "sw", "bin", "npc-daemon");
        if (!Files.exists(next)) {
            return false;
        }
        return !RunningSystem.same(next.toString(), selfPath.toString());
    }
}
