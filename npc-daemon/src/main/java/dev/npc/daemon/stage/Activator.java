package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;
import dev.npc.host.Action;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Step 4, activate: remembers the current generation, points the system profile at the new
 * toplevel (for switch and boot) and runs its {@code switch-to-configuration <action>}.
 */
public final class Activator {
    static final Duration PROFILE_TIMEOUT = Duration.ofMinutes(5);

    private final Commands commands;
    private final SystemCommands system;
    private final Duration switchTimeout;

    public Activator(Commands commands, SystemCommands system, Duration switchTimeout) {
        this.commands = commands;
        this.system = system;
        this.switchTimeout = switchTimeout;
    }

    public Generation remember() {
        return new Generation(RunningSystem.resolve(system.systemProfile()), RunningSystem.resolve(system.currentSystem()));
    }

    /** @return the output of switch-to-configuration, for the report */
    public String activate(String toplevel, String action) throws StageFailure, InterruptedException {
        if (!Action.TEST.equals(action)) {
            setProfile(toplevel);
        }
        return switchTo(toplevel, action);
    }

    void setProfile(String toplevel) throws StageFailure, InterruptedException {
        commands.run("nix-env --set " + toplevel,
                List.of(system.nixEnv(), "-p", system.systemProfile().toString(), "--set", toplevel),
                Map.of(), PROFILE_TIMEOUT);
    }

    String switchTo(String toplevel, String action) throws StageFailure, InterruptedException {
        String script = Path.of(toplevel, "bin", "switch-to-configuration").toString();
        return commands.run("switch-to-configuration " + action, List.of(script, action), Map.of(), switchTimeout);
    }

    public Path currentSystemLink() {
        return system.currentSystem();
    }

    /** Whether {@code toplevel} is already what {@code action} would make current. */
    public boolean isCurrent(String toplevel, String action) {
        Path link = Action.BOOT.equals(action) ? system.systemProfile() : system.currentSystem();
        return RunningSystem.same(toplevel, RunningSystem.resolve(link));
    }
}
