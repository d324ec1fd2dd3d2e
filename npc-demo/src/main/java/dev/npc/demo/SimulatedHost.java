package dev.npc.demo;

import dev.npc.digest.Sha256;
import dev.npc.process.ProcessRunner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A NixOS host simulated inside a directory, for the demo only. The real daemon runs against it
 * unchanged: it calls nix, nix-env, switch-to-configuration and systemctl exactly as on a real
 * host, and this runner prints each command (with the directory prefix removed, so the paths read
 * as they would on the host) and plays its effect on the directory's symlinks instead of the
 * machine. A version with {@value #BREAK_MARKER} in one of its .nix files builds fine and then
 * fails its health check, so the demo can show a rollback (the fleet is the npc checkout, whose
 * Java sources name the marker too).
 */
final class SimulatedHost implements ProcessRunner {
    static final String BREAK_MARKER = "npc-demo: fail-health-check";
    private static final Pattern FLAKE_REF =
            Pattern.compile("path:(.+)#nixosConfigurations\\.\"?([A-Za-z0-9._-]+)\"?\\.config\\.system\\.build\\.toplevel");

    private final String host;
    private final Path root;
    private final PrintWriter log;

    SimulatedHost(String host, Path root, PrintWriter log) throws IOException {
        this.host = host;
        this.root = root;
        this.log = log;
        Files.createDirectories(store());
        Files.createDirectories(bin());
        Path initial = toplevel("0".repeat(32), host + "-initial", false);
        Files.createDirectories(currentSystem().getParent());
        Files.createDirectories(systemProfile().getParent());
        relink(currentSystem(), initial);
        relink(systemProfile(), initial);
    }

    Path stateDir() {
        return root.resolve("var/lib/npc");
    }

    /** Where the daemon looks for nix, nix-env and nix-store (its --nix-bin). */
    Path bin() {
        return root.resolve("simulated-bin");
    }

    Path systemctl() {
        return bin().resolve("systemctl");
    }

    Path currentSystem() {
        return root.resolve("run/current-system");
    }

    Path systemProfile() {
        return root.resolve("nix/var/nix/profiles/system");
    }

    private Path store() {
        return root.resolve("nix/store");
    }

    /** What the host runs now, as a /nix/store path. */
    String running() throws IOException {
        return display(Files.readSymbolicLink(currentSystem()).toString());
    }

    @Override
    public ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout)
            throws IOException {
        print(command);
        return play(command);
    }

    private void print(List<String> command) {
        List<String> shown = new ArrayList<>();
        Path program0 = Path.of(command.get(0));
        shown.add(program0.startsWith(bin()) ? program0.getFileName().toString() : display(command.get(0)));
        command.subList(1, command.size()).forEach(arg -> shown.add(quoted(display(arg))));
        synchronized (log) {
            log.println("    " + host + " (simulated) $ " + String.join(" ", shown));
            log.flush();
        }
    }

    /** Plays a command's effect on the directory; what systemd-run starts is played, not printed again. */
    private ProcessResult play(List<String> command) throws IOException {
        String program = Path.of(command.get(0)).getFileName().toString();
        List<String> args = command.subList(1, command.size());
        return switch (program) {
            case "nix" -> nix(args);
            case "nix-store" -> ProcessResult.of(0, args.get(1) + "\n", "");
            case "nix-env" -> nixEnv(args);
            case "systemd-run" -> play(unitCommand(args));
            case "switch-to-configuration" -> switchTo(Path.of(command.get(0)).getParent().getParent());
            case "systemctl" -> systemctl(args);
            default -> ProcessResult.of(127, "", program + ": not simulated in the demo\n");
        };
    }

    /** The command systemd-run runs in the transient unit: what follows its options. */
    private static List<String> unitCommand(List<String> args) {
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-")) {
            i += args.get(i).equals("-E") ? 2 : 1;
        }
        return args.subList(i, args.size());
    }

    private ProcessResult systemctl(List<String> args) throws IOException {
        return switch (args.get(0)) {
            case "is-system-running" -> systemState();
            case "is-active" -> ProcessResult.of(3, "inactive\n", "");
            case "list-units" -> failedUnits();
            default -> ProcessResult.of(0, "", "");
        };
    }

    private ProcessResult nix(List<String> args) throws IOException {
        for (String arg : args) {
            Matcher ref = FLAKE_REF.matcher(arg);
            if (ref.matches()) {
                Path flake = Path.of(ref.group(1));
                String configuration = ref.group(2);
                if (!Files.exists(flake.resolve("nixos/example/hosts").resolve(configuration + ".nix"))) {
                    return ProcessResult.of(1, "", "error: flake does not provide attribute"
                            + " 'nixosConfigurations." + configuration + "'\n");
                }
                String content = contentOf(flake);
                String hash = Sha256.hex((content + configuration).getBytes()).substring(0, 32);
                Path toplevel = toplevel(hash, configuration, nixFilesContain(flake, BREAK_MARKER));
                return ProcessResult.of(0, toplevel + "\n", "");
            }
        }
        return ProcessResult.of(1, "", "nix: arguments not simulated in the demo: " + args + "\n");
    }

    private ProcessResult nixEnv(List<String> args) throws IOException {
        int set = args.indexOf("--set");
        int profile = args.indexOf("-p");
        if (args.contains("--delete-generations")) {
            return ProcessResult.of(0, "", "");
        }
        if (set >= 0 && profile >= 0) {
            relink(Path.of(args.get(profile + 1)), Path.of(args.get(set + 1)));
            return ProcessResult.of(0, "", "");
        }
        return ProcessResult.of(1, "", "nix-env: arguments not simulated in the demo: " + args + "\n");
    }

    private ProcessResult switchTo(Path toplevel) throws IOException {
        relink(currentSystem(), toplevel);
        return ProcessResult.of(0, "", "activating the configuration...\nsetting up /etc...\nreloading user units...\n");
    }

    private ProcessResult systemState() throws IOException {
        Path current = Files.readSymbolicLink(currentSystem());
        if (Files.exists(current.resolve("broken"))) {
            return ProcessResult.of(1, "degraded\n", "");
        }
        return ProcessResult.of(0, "running\n", "");
    }

    /** A broken version's nginx fails; nothing had failed before it. */
    private ProcessResult failedUnits() throws IOException {
        Path current = Files.readSymbolicLink(currentSystem());
        return ProcessResult.of(0, Files.exists(current.resolve("broken"))
                ? "nginx.service loaded failed failed A high performance web server\n" : "", "");
    }

    private Path toplevel(String hash, String configuration, boolean broken) throws IOException {
        Path toplevel = store().resolve(hash + "-nixos-system-" + configuration);
        Files.createDirectories(toplevel.resolve("bin"));
        Path script = toplevel.resolve("bin/switch-to-configuration");
        if (!Files.exists(script)) {
            Files.writeString(script, "simulated\n");
        }
        if (broken) {
            Files.writeString(toplevel.resolve("broken"), "nginx.service failed\n");
        }
        return toplevel;
    }

    private static void relink(Path link, Path target) throws IOException {
        Path temp = link.resolveSibling(link.getFileName() + ".new");
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, target);
        Files.move(temp, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean nixFilesContain(Path flake, String text) {
        try (Stream<Path> files = Files.walk(flake)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".nix") && Files.isRegularFile(f))
                    .anyMatch(f -> {
                        try {
                            return Files.readString(f, StandardCharsets.ISO_8859_1).contains(text);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentOf(Path flake) {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(flake)) {
            files.filter(Files::isRegularFile).sorted().forEach(file -> {
                try {
                    // Latin-1 reads any bytes: a binary file in the fleet must not stop the simulation.
                    all.append(flake.relativize(file)).append('\n')
                            .append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    /** Shell quoting for display, so a printed command can be pasted as it is. */
    private static String quoted(String arg) {
        return arg.matches("[A-Za-z0-9_@%+=:,./#-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    private String display(String text) {
        return text.replace(root.toString(), "");
    }
}
