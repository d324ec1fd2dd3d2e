package dev.npc.daemon.loop;

import dev.npc.daemon.stage.RunningSystem;
import dev.npc.daemon.stage.UnitFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Notices when a switch brought in a different npc-daemon or a different npc.service (arguments,
 * environment, drop-ins: any setting of services.npc). The daemon's unit is not restarted by
 * switch-to-configuration (restartIfChanged = false: that would kill it mid-switch), so after
 * reporting it exits cleanly and systemd (Restart=always, after the switch's daemon-reload) starts
 * the new one with the new unit.
 */
public final class SelfUpdate {
    /** The unit the NixOS module runs the daemon as. */
    public static final String UNIT = "npc.service";

    private final Path selfPath;
    private final UnitFile runningUnit;

    /**
     * @param selfPath    this daemon's launcher ({@code NPC_SELF_PATH}), or null to never restart
     * @param runningUnit npc.service as this daemon was started with it (read from the running
     *                    system at start), or null when it runs outside that unit
     */
    public SelfUpdate(Path selfPath, UnitFile runningUnit) {
        this.selfPath = selfPath;
        this.runningUnit = runningUnit;
    }

    /** Why this daemon must restart to run what {@code toplevel} brings, or null when it need not. */
    public String reason(String toplevel) {
        if (toplevel == null) {
            return null;
        }
        if (runningUnit != null) {
            UnitFile next = UnitFile.of(Path.of(toplevel), UNIT);
            if (next != null && runningUnit.differsFrom(next)) {
                List<String> keys = runningUnit.changedKeys(next);
                return "the new system changes " + UNIT + " (" + String.join(", ", keys) + ")";
            }
        }
        if (selfPath != null) {
            Path next = Path.of(toplevel, "sw", "bin", "npc-daemon");
            if (Files.exists(next) && !RunningSystem.same(next.toString(), selfPath.toString())) {
                return "the new system brings a different npc-daemon";
            }
        }
        return null;
    }

    /** Whether {@code toplevel} no longer has npc.service although this daemon runs as it. */
    public boolean removedBy(String toplevel) {
        return runningUnit != null && toplevel != null && UnitFile.of(Path.of(toplevel), UNIT) == null;
    }
}
