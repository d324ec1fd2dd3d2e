package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;
import dev.npc.daemon.report.EventLog;
import dev.npc.host.Action;
import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.time.Durations;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Step 4, activate, done as nixos-rebuild does it: points the system profile at the new toplevel
 * (for switch and boot) and runs its {@code switch-to-configuration <action>} in a transient
 * systemd unit, so the switch belongs to PID 1 rather than to this daemon's cgroup: a daemon that
 * stops or restarts mid-switch does not take the switch with it, and npc never kills a running
 * switch (it waits, then asks systemd to stop the unit).
 */
public final class Activator {
    /**
     * The transient unit nixos-rebuild runs switch-to-configuration in
     * (SWITCH_TO_CONFIGURATION_CMD_PREFIX in nixpkgs'
     * pkgs/by-name/ni/nixos-rebuild-ng/src/nixos_rebuild/nix.py). Using the same stable name makes
     * npc and a manual nixos-rebuild exclude each other: systemd refuses a second unit of that name.
     */
    public static final String SWITCH_UNIT = "nixos-rebuild-switch-to-configuration";
    public static final String SWITCH_SERVICE = SWITCH_UNIT + ".service";
    static final Duration PROFILE_TIMEOUT = Duration.ofMinutes(5);
    /** systemctl stop returns when the unit stopped; systemd sends SIGKILL only after the unit's TimeoutStopSec. */
    static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);
    static final Duration QUERY_TIMEOUT = Duration.ofMinutes(1);

    private final Commands commands;
    private final ProcessRunner processes;
    private final SystemCommands system;
    private final Duration switchTimeout;
    private final Duration switchGrace;
    private final Path switchOutput;
    private final EventLog log;
    private Consumer<String> notices = message -> { };

    /**
     * @param switchTimeout how long a switch may take before npc reports it as slow
     * @param switchGrace   how much longer npc then waits before it stops the switch's unit
     * @param switchOutput  the file the switch prints to (the state directory's switch.log)
     */
    public Activator(Commands commands, ProcessRunner processes, SystemCommands system, Duration switchTimeout,
                     Duration switchGrace, Path switchOutput, EventLog log) {
        this.commands = commands;
        this.processes = processes;
        this.system = system;
        this.switchTimeout = switchTimeout;
        this.switchGrace = switchGrace;
        this.switchOutput = switchOutput;
        this.log = log;
    }

    /** Where "switch still running" goes besides the log (the state's message, for npc status). */
    public void onNotice(Consumer<String> listener) {
        this.notices = listener;
    }

    public Generation remember() {
        return new Generation(RunningSystem.resolve(system.systemProfile()), RunningSystem.resolve(system.currentSystem()));
    }

    /**
     * Fails fast, before the profile changes, when another switch holds the transient unit. A
     * failed unit of that name (left by a run without --collect) would make every later
     * systemd-run refuse the name; it is not running, so it is reset rather than waited for.
     */
    public void checkNotBusy() throws StageFailure, InterruptedException, SwitchBusy {
        ProcessResult result = commands.runAllowingFailure("systemctl is-active " + SWITCH_SERVICE,
                List.of(system.systemctl(), "is-active", SWITCH_SERVICE), Map.of(), QUERY_TIMEOUT);
        String state = lastLine(result.stdout().text());
        switch (state) {
            case "active", "activating", "deactivating", "reloading", "refreshing" -> throw new SwitchBusy(
                    "another switch is running on this host (" + SWITCH_SERVICE + " is " + state
                            + "); npc tries again at the next poll");
            case "failed" -> {
                log.info(SWITCH_SERVICE + " is left over in state failed; resetting it so switches can run");
                commands.runAllowingFailure("systemctl reset-failed " + SWITCH_SERVICE,
                        List.of(system.systemctl(), "reset-failed", SWITCH_SERVICE), Map.of(), QUERY_TIMEOUT);
            }
            default -> { }
        }
    }

    /** Whether a switch runs in the transient unit now (npc's own from before a restart, or a manual one). */
    public boolean switchRunning() throws InterruptedException {
        try {
            ProcessResult result = commands.runAllowingFailure("systemctl is-active " + SWITCH_SERVICE,
                    List.of(system.systemctl(), "is-active", SWITCH_SERVICE), Map.of(), QUERY_TIMEOUT);
            return List.of("active", "activating", "deactivating", "reloading", "refreshing")
                    .contains(lastLine(result.stdout().text()));
        } catch (StageFailure e) {
            return false;
        }
    }

    /** How long a switch may run before npc stops it: what recovery waits for at most. */
    public Duration switchLimit() {
        return switchTimeout.plus(switchGrace);
    }

    public void activate(String toplevel, String action) throws StageFailure, InterruptedException, SwitchBusy {
        if (!Action.TEST.equals(action)) {
            setProfile(toplevel);
        }
        switchTo(toplevel, action);
    }

    public void setProfile(String toplevel) throws StageFailure, InterruptedException {
        commands.run("nix-env --set " + toplevel,
                List.of(system.nixEnv(), "-p", system.systemProfile().toString(), "--set", toplevel),
                Map.of(), PROFILE_TIMEOUT);
    }

    /**
     * Runs {@code <toplevel>/bin/switch-to-configuration <action>} the way nixos-rebuild does:
     * {@code systemd-run} with nixos-rebuild's flags and unit name, plus {@code --wait} so its exit
     * status is the switch's. NIXOS_INSTALL_BOOTLOADER=0 is what nixos-rebuild passes without
     * --install-bootloader; LOCALE_ARCHIVE is handed through as it does. {@code --pipe} hands the
     * switch systemd-run's own output, which is a file, not a pipe to this daemon: a switch whose
     * daemon was killed would die at its next line of output (a write to a pipe nobody reads
     * raises SIGPIPE or fails: in 12 of 22 runs of SignalsTest under load, the stand-in switch died of it).
     */
    public void switchTo(String toplevel, String action) throws StageFailure, InterruptedException, SwitchBusy {
        String script = Path.of(toplevel, "bin", "switch-to-configuration").toString();
        List<String> command = new ArrayList<>(List.of(system.systemdRun(),
                "-E", "LOCALE_ARCHIVE", "-E", "NIXOS_INSTALL_BOOTLOADER",
                "--collect", "--no-ask-password", "--pipe", "--quiet", "--service-type=exec",
                "--unit=" + SWITCH_UNIT, "--wait", script, action));
        String what = "switch-to-configuration " + action;
        ProcessResult result;
        try {
            ProcessRunner.Started started = processes.startWritingTo(command, Map.of("NIXOS_INSTALL_BOOTLOADER", "0"),
                    switchOutput);
            result = started.await(switchTimeout);
            if (result == null) {
                notice(what + " still running after " + Durations.format(switchTimeout) + "; npc does not"
                        + " interrupt a switch and waits up to " + Durations.format(switchGrace) + " more");
                result = started.await(switchGrace);
            }
            if (result == null) {
                Duration total = switchTimeout.plus(switchGrace);
                notice(what + " still running after " + Durations.format(total) + "; asking systemd to stop "
                        + SWITCH_SERVICE);
                ProcessResult stop = commands.runAllowingFailure("systemctl stop " + SWITCH_SERVICE,
                        List.of(system.systemctl(), "stop", SWITCH_SERVICE), Map.of(), STOP_TIMEOUT);
                ProcessResult ended = started.await(STOP_TIMEOUT);
                String tail = ended != null ? ended.tail(Commands.TAIL_LINES) : stop.tail(Commands.TAIL_LINES);
                throw new StageFailure(what + " did not finish within " + Durations.format(total)
                        + "; stopped " + SWITCH_SERVICE + " with systemctl stop"
                        + (ended == null ? " (it had not ended " + Durations.format(STOP_TIMEOUT) + " later)" : ""),
                        tail);
            }
        } catch (IOException e) {
            throw new StageFailure(what + " could not start systemd-run: " + e.getMessage()
                    + "; check --systemctl (systemd-run is taken from its directory)");
        }
        if (result.exitCode() != 0) {
            // systemd-run: "Unit nixos-rebuild-switch-to-configuration.service was already loaded or has a
            // fragment file" (older systemd: "... already exists"); switch-to-configuration-ng: "Could not
            // acquire lock" on /run/nixos/switch-to-configuration.lock, exit EWOULDBLOCK (11).
            if (result.printed("already loaded") || result.printed("already exists")
                    || result.printed("Could not acquire lock")) {
                String said = result.stderr().isBlank() ? result.stdout().text() : result.stderr().text();
                throw new SwitchBusy("another switch is running on this host (" + lastLine(said)
                        + "); npc tries again at the next poll");
            }
            throw new StageFailure(what + " failed (exit " + result.exitCode() + ")", result.tail(Commands.TAIL_LINES));
        }
    }

    public Path currentSystemLink() {
        return system.currentSystem();
    }

    /** Whether {@code toplevel} is already what {@code action} would make current. */
    public boolean isCurrent(String toplevel, String action) {
        Path link = Action.BOOT.equals(action) ? system.systemProfile() : system.currentSystem();
        return RunningSystem.same(toplevel, RunningSystem.resolve(link));
    }

    private void notice(String message) {
        log.warn(message);
        notices.accept(message);
    }

    private static String lastLine(String output) {
        String text = output == null ? "" : output.strip();
        return text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1).strip();
    }
}
