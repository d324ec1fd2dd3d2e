package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;
import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Step 3, build: evaluates and builds the configuration's toplevel from the unpacked flake, or,
 * when desired.json names a pre-built toplevel, only realises it from a substituter, so small
 * hosts never evaluate Nix.
 *
 * <p>As nixos-rebuild does (nixpkgs' pkgs/by-name/ni/nixos-rebuild-ng/src/nixos_rebuild/nix.py,
 * build_flake): {@code nix build --print-out-paths} with an out-link, which is a garbage
 * collector root, so the built system cannot be collected between the build and
 * {@code nix-env --set} (then the profile roots it and the link is removed). Unlike a
 * nixos-rebuild run by hand, npc adds {@code --no-update-lock-file}: a lock that does not cover
 * every input would otherwise be completed on each host by itself, at different times, into
 * different systems from one published version.
 *
 * <p>Builds go through the Nix daemon ({@code NIX_REMOTE=daemon}). Run as root, Nix otherwise
 * opens the store directly and builds as children of this daemon, inside npc.service's cgroup and
 * outside the limits NixOS gives nix-daemon.service (nix.daemonCPUSchedPolicy,
 * daemonIOSchedClass); through the daemon a build is scheduled like every other build on the
 * host. An NIX_REMOTE set in npc-daemon's own environment wins.
 */
public final class Builder {
    /** What Nix says when --no-update-lock-file meets a lock that misses an input (libflake, lockFlake). */
    public static final String LOCK_REFUSED = "requires lock file changes but they're not allowed";

    private final Commands commands;
    private final SystemCommands system;
    private final List<String> extraSubstituters;
    private final List<String> substituterKeys;
    private final Duration timeout;
    private final Path outLink;
    private final Map<String, String> env;

    /**
     * @param outLink   the garbage collector root the build is linked to until activation is done
     * @param daemonEnv npc-daemon's environment, read for NIX_REMOTE
     */
    public Builder(Commands commands, SystemCommands system, List<String> extraSubstituters,
                   List<String> substituterKeys, Duration timeout, Path outLink, Map<String, String> daemonEnv) {
        this.commands = commands;
        this.system = system;
        this.extraSubstituters = List.copyOf(extraSubstituters);
        this.substituterKeys = List.copyOf(substituterKeys);
        this.timeout = timeout;
        this.outLink = outLink;
        String remote = daemonEnv.get("NIX_REMOTE");
        this.env = Map.of("NIX_REMOTE", remote == null || remote.isBlank() ? "daemon" : remote);
    }

    /** Builds {@code nixosConfigurations.<configuration>} of the flake in {@code flakeDir}; returns the toplevel. */
    public String build(Path flakeDir, String configuration) throws StageFailure, InterruptedException {
        List<String> command = new ArrayList<>(List.of(system.nix(),
                "--extra-experimental-features", "nix-command flakes",
                "build", "--no-update-lock-file"));
        command.addAll(outLink == null ? List.of("--no-link") : List.of("--out-link", outLink.toString()));
        command.addAll(List.of("--print-out-paths",
                "path:" + flakeDir.toAbsolutePath() + "#nixosConfigurations.\"" + configuration
                        + "\".config.system.build.toplevel"));
        command.addAll(substituterOptions());
        String what = "nix build of configuration '" + configuration + "'";
        ProcessResult result = commands.runAllowingFailure(what, command, env, timeout);
        if (!result.timedOut() && result.exitCode() != 0 && result.printed(LOCK_REFUSED)) {
            throw new StageFailure("the remote's flake.lock does not lock every input of its flake.nix, and npc"
                    + " builds with --no-update-lock-file so every host builds the same system; run"
                    + " `nix flake lock` in the fleet flake, commit flake.lock and push again",
                    result.tail(Commands.TAIL_LINES));
        }
        commands.checked(what, result, timeout);
        return outputPath(result, "nix build");
    }

    /** Fetches a toplevel built elsewhere; no evaluation happens on this host. */
    public String realise(String prebuilt) throws StageFailure, InterruptedException {
        List<String> command = new ArrayList<>(List.of(system.nixStore(), "--realise", prebuilt));
        if (outLink != null) {
            command.addAll(List.of("--add-root", outLink.toString()));
        }
        command.addAll(substituterOptions());
        String what = "nix-store --realise " + prebuilt;
        ProcessResult result = commands.runAllowingFailure(what, command, env, timeout);
        commands.checked(what, result, timeout);
        String printed = outputPath(result, "nix-store --realise");
        // With --add-root, nix-store prints the root, not the store path (as nixos-rebuild notes).
        String resolved = outLink != null && printed.equals(outLink.toString()) ? RunningSystem.resolve(outLink) : printed;
        return resolved == null ? printed : resolved;
    }

    /** Removes the out-link once the profile (or nothing, after a failure) holds the system. */
    public void release() {
        if (outLink == null) {
            return;
        }
        try {
            Files.deleteIfExists(outLink);
        } catch (IOException e) {
            // A stale link only keeps one system from the garbage collector until the next build replaces it.
        }
    }

    /**
     * Substituters with their keys, as nix.settings would give them: an extra substituter without
     * its key would be ignored by Nix for every path not signed by an already trusted key.
     */
    private List<String> substituterOptions() {
        List<String> options = new ArrayList<>();
        if (!extraSubstituters.isEmpty()) {
            options.addAll(List.of("--option", "extra-substituters", String.join(" ", extraSubstituters)));
        }
        if (!substituterKeys.isEmpty()) {
            options.addAll(List.of("--option", "extra-trusted-public-keys", String.join(" ", substituterKeys)));
        }
        return options;
    }

    /**
     * The store path a build printed on stdout (its last line: one output, the toplevel). Logs,
     * progress and warnings go to stderr and are never read as the path, even a builder's line
     * that looks like one.
     */
    private static String outputPath(ProcessResult result, String what) throws StageFailure {
        String line = result.stdout().tail(1).strip();
        if (!line.startsWith("/") || line.contains(" ")) {
            throw new StageFailure(what + " succeeded but printed no output path", result.tail(Commands.TAIL_LINES));
        }
        return line;
    }
}
