package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Step 3, build: evaluates and builds the configuration's toplevel from the unpacked flake, or,
 * when desired.json names a pre-built toplevel, only realises it from a substituter, so small
 * hosts never evaluate Nix.
 */
public final class Builder {
    private final Commands commands;
    private final SystemCommands system;
    private final List<String> extraSubstituters;
    private final Duration timeout;

    public Builder(Commands commands, SystemCommands system, List<String> extraSubstituters, Duration timeout) {
        this.commands = commands;
        this.system = system;
        this.extraSubstituters = List.copyOf(extraSubstituters);
        this.timeout = timeout;
    }

    /** Builds {@code nixosConfigurations.<configuration>} of the flake in {@code flakeDir}; returns the toplevel. */
    public String build(Path flakeDir, String configuration) throws StageFailure, InterruptedException {
        List<String> command = new ArrayList<>(List.of(system.nix(),
                "--extra-experimental-features", "nix-command flakes",
                "build", "--no-link", "--print-out-paths",
                "path:" + flakeDir.toAbsolutePath() + "#nixosConfigurations.\"" + configuration
                        + "\".config.system.build.toplevel"));
        command.addAll(substituterOptions());
        String output = commands.run("nix build of configuration '" + configuration + "'", command, Map.of(), timeout);
        return outputPath(output, "nix build");
    }

    /** Fetches a toplevel built elsewhere; no evaluation happens on this host. */
    public String realise(String prebuilt) throws StageFailure, InterruptedException {
        List<String> command = new ArrayList<>(List.of(system.nixStore(), "--realise", prebuilt));
        command.addAll(substituterOptions());
        String output = commands.run("nix-store --realise " + prebuilt, command, Map.of(), timeout);
        return outputPath(output, "nix-store --realise");
    }

    private List<String> substituterOptions() {
        return extraSubstituters.isEmpty() ? List.of()
                : List.of("--option", "extra-substituters", String.join(" ", extraSubstituters));
    }

    /** The store path a build printed: the last line that is a bare absolute path (logs come before it). */
    private static String outputPath(String output, String what) throws StageFailure {
        String[] lines = output.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.startsWith("/") && !line.contains(" ")) {
                return line;
            }
        }
        throw new StageFailure(what + " succeeded but printed no output path", tail(output));
    }

    private static String tail(String output) {
        String[] all = output.strip().split("\n");
        int from = Math.max(0, all.length - Commands.TAIL_LINES);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
