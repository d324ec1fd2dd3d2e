package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A NixOS host in a directory, for bootstrap/npc-bootstrap.sh, with exactly the PATH of what runs
 * EC2 user-data (amazon-init, or cloud-init: {@link Runner}).
 *
 * <p>That PATH is one directory, {@code bin/}, holding links to the programs of Debian's packages
 * of the tools nixpkgs puts there, and to stand-ins for nix (nix, nix-env, nix-store), systemd
 * (systemctl, systemd-run) and nixos-rebuild, which live in {@code sw/bin/}, the sandbox's
 * /run/current-system/sw/bin, with stand-ins for mkswap, swapon and swapoff. The stand-ins log
 * their arguments and environment. The script runs under {@code env -i} with the runner's
 * environment (HOME, PATH, and NIX_PATH for amazon-init) plus the settings; bash reports every
 * command it cannot find to {@code not-found} (through BASH_ENV), so a call to anything off that
 * PATH fails the test even where the script would have ignored the failure. curl, zstd, bash and
 * openssl (which the stand-in `nix build` of nixpkgs#openssl.bin links) are the real ones.
 *
 * <p>The systemd-run stand-in records the transient unit (its command and --setenv environment)
 * and runs it at once, as PID 1 would start it, with {@link #machine()} as the manager's own
 * environment; its output goes to the console log, as StandardOutput=journal+console sends it.
 */
final class BootstrapSandbox implements AutoCloseable {
    /** amazon-init's NIX_PATH. */
    static final String NIX_PATH = "nixpkgs=/nix/var/nix/profiles/per-user/root/channels/nixos"
            + ":nixos-config=/etc/nixos/configuration.nix:/nix/var/nix/profiles/per-user/root/channels";
    static final String UNIT = "npc-first-activation.service";

    /** What runs the user-data, and so which PATH it has. */
    enum Runner {
        /**
         * nixos/modules/virtualisation/amazon-init.nix: nix, systemd, gnugrep, git, gnutar, gzip,
         * gnused, xz and nixos-rebuild, then the service default (coreutils, findutils, gnugrep,
         * gnused, systemd).
         */
        AMAZON_INIT(List.of("coreutils", "findutils", "grep", "sed", "tar", "gzip", "xz-utils", "git"),
                List.of("nix", "nix-env", "nix-store", "systemctl", "systemd-run", "nixos-rebuild")),
        /**
         * nixos/modules/services/system/cloud-init.nix (cloud-final runs the user's script):
         * cloud-init, iproute2, nettools, openssh, shadow, util-linux and busybox, then the service
         * default. busybox comes first, so its tar, gzip, grep, sed, head and the like are the ones
         * found; there is no nix, git or GNU tar on this PATH.
         */
        CLOUD_INIT(List.of("coreutils", "findutils", "grep", "sed"), List.of("systemctl", "systemd-run"));

        final List<String> packages;
        final List<String> fromSystem;

        Runner(List<String> packages, List<String> fromSystem) {
            this.packages = packages;
            this.fromSystem = fromSystem;
        }
    }

    private final Path root;
    private final Runner runner;
    private final Path bin;
    private final Path logs;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> machine = new LinkedHashMap<>();

    /**
     * @param daemon the body of the npc-daemon that the stand-in `nix build` of services.npc.package
     *               puts into its out-link; @ROOT@ and @LOGS@ in it name the sandbox and its logs
     */
    BootstrapSandbox(Path root, String imdsEndpoint, String daemon) {
        this(root, imdsEndpoint, daemon, Runner.AMAZON_INIT);
    }

    BootstrapSandbox(Path root, String imdsEndpoint, String daemon, Runner runner) {
        this.root = root;
        this.runner = runner;
        this.bin = mkdirs(root.resolve("bin"));
        this.logs = mkdirs(root.resolve("logs"));
        Path sw = mkdirs(root.resolve("sw/bin"));
        mkdirs(root.resolve("active"));
        mkdirs(root.resolve("unit"));
        writeStandIns(sw, daemon);
        if (runner == Runner.CLOUD_INIT) {
            linkBusybox();
        }
        linkPackages(runner.packages);
        for (String tool : runner.fromSystem) {
            link(bin.resolve(tool), sw.resolve(tool));
        }
        for (String tool : List.of("mkswap", "swapon", "swapoff")) {
            script(sw.resolve(tool), """
                    #!/bin/sh
                    printf '%s %%s\\n' "$*" >> %s/swap.log
                    """.formatted(tool, logs));
        }
        write(root.resolve("not-found.bash"), """
                # BASH_ENV of the sandbox: every command bash cannot find is logged, so a script that
                # ignores the failure still fails the test.
                command_not_found_handle() {
                  printf '%%s\\n' "$1" >> %s/not-found.log
                  printf 'bash: %%s: command not found (it is not on amazon-init'"'"'s PATH)\\n' "$1" >&2
                  return 127
                }
                """.formatted(logs));
        memory(8 * 1024 * 1024);
        write(logs.resolve("console.log"), ""); // the console exists before anything writes to it

        env.put("NPC_STORE", "s3://fleet-bucket/fleet");
        env.put("NPC_HOST", "web-1");
        env.put("NPC_SWAP_MIB", "1");
        env.put("NPC_IMDS_ENDPOINT", imdsEndpoint);
        env.put("NPC_IMDS_RETRIES", "0");
        env.put("NPC_CURL", Tools.require("curl").toString());
        env.put("NPC_ZSTD", Tools.require("zstd").toString());
        env.put("NPC_BASH", Tools.require("bash").toString());
        env.put("NPC_NIX", sw.resolve("nix").toString());
        env.put("NPC_SYSTEMCTL", sw.resolve("systemctl").toString());
        env.put("NPC_SYSTEMD_RUN", sw.resolve("systemd-run").toString());
        env.put("NPC_MKSWAP", sw.resolve("mkswap").toString());
        env.put("NPC_SWAPON", sw.resolve("swapon").toString());
        env.put("NPC_SWAPOFF", sw.resolve("swapoff").toString());
        env.put("NPC_MEMINFO", root.resolve("meminfo").toString());
        env.put("NPC_CONSOLE", logs.resolve("console.log").toString());
        env.put("NPC_STATE_DIR", root.resolve("var/lib/npc").toString());
        env.put("NPC_BOOTSTRAP_DIR", root.resolve("var/lib/npc-bootstrap").toString());
        env.put("NPC_USER_DATA_DIR", root.resolve("run/npc-bootstrap").toString());

        machine.put("BASH_ENV", root.resolve("not-found.bash").toString());
        machine.put("LANG", "C.UTF-8");
    }

    /** The settings: what Terraform's user-data exports, and the test's paths. */
    Map<String, String> env() {
        return env;
    }

    /** The service manager's own environment, which every unit it starts inherits. */
    Map<String, String> machine() {
        return machine;
    }

    Path path(String relative) {
        return root.resolve(relative);
    }

    /** amazon-init's PATH here. */
    String pathVariable() {
        return bin.toString();
    }

    /** Sets MemTotal in the stand-in /proc/meminfo. */
    void memory(long kib) {
        write(root.resolve("meminfo"), "MemTotal:       " + kib + " kB\nMemFree:        1000 kB\n");
    }

    /** What `systemctl is-active UNIT` answers: active, or inactive. */
    void active(String unit, boolean active) {
        flag("active/" + unit, active);
    }

    /** systemd-run only records the unit (it "keeps running") until {@link #startUnit} starts it. */
    void deferUnit(boolean deferred) {
        flag("unit-deferred", deferred);
    }

    /** The stand-in `nix build` of services.npc.package fails. */
    void npcBuildFails(boolean fails) {
        flag("npc-build-fails", fails);
    }

    /** Starts the recorded unit without waiting for it, as PID 1 does; {@link #stopUnit} ends it. */
    Process startUnit() {
        writeMachineEnv();
        try {
            return new ProcessBuilder(root.resolve("run-unit").toString()).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(logs.resolve("run-unit.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a unit started with {@link #startUnit}, and every process it started. */
    static void stopUnit(Process unit) throws InterruptedException {
        unit.descendants().forEach(ProcessHandle::destroy);
        unit.destroy();
        unit.waitFor();
    }

    /** The exit code of the last unit that ended. */
    int lastUnitExit() {
        List<String> exits = log("unit-exit");
        return Integer.parseInt(exits.get(exits.size() - 1));
    }

    /** The transient unit's command line, as systemd-run was given it. */
    List<String> unitCommand() {
        return read(root.resolve("unit/argv"));
    }

    /** The lines a stand-in logged: nix, systemctl, systemd-run, nix-env, nix-store, swap, daemon, console, not-found. */
    List<String> log(String name) {
        return read(logs.resolve(name + ".log"));
    }

    /** The environment of each call of a stand-in, in order. */
    List<Map<String, String>> environments(String standIn) {
        List<Map<String, String>> calls = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : read(logs.resolve(standIn + ".env"))) {
            if (line.equals("--")) {
                current = new TreeMap<>();
                calls.add(current);
            } else if (current != null && line.contains("=")) {
                current.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return calls;
    }

    /** Runs bootstrap/npc-bootstrap.sh as amazon-init would. */
    ProcessResult run() {
        return run(Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh"));
    }

    /**
     * Runs a user-data script as amazon-init does ({@code exec ${pkgs.runtimeShell} $userData}: bash
     * with the file as its argument), with amazon-init's environment and the settings only.
     */
    ProcessResult run(Path script) {
        writeMachineEnv();
        List<String> command = new ArrayList<>(List.of(Tools.require("env").toString(), "-i",
                "HOME=" + mkdirs(root.resolve("root")), "PATH=" + bin, "BASH_ENV=" + root.resolve("not-found.bash")));
        if (runner == Runner.AMAZON_INIT) {
            command.add("NIX_PATH=" + NIX_PATH);
        }
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(Tools.require("bash").toString());
        command.add(script.toString());
        return Tools.run(command, Map.of(), root);
    }

    /** Links the programs of Debian packages into bin/, unless a name is there already (first on PATH wins). */
    private void linkPackages(List<String> packages) {
        Tools.require("dpkg-query");
        for (String pkg : packages) {
            ProcessResult files = Tools.run(List.of("dpkg-query", "-L", pkg), Map.of(), root);
            Assumptions.assumeTrue(files.ok(), "Debian package " + pkg + " is not installed");
            for (String file : files.stdout().text().split("\n")) {
                Path program = Path.of(file.strip());
                String dir = program.getParent() == null ? "" : program.getParent().toString();
                if ((dir.equals("/bin") || dir.equals("/usr/bin")) && Files.isExecutable(program)) {
                    link(bin.resolve(program.getFileName().toString()), program);
                }
            }
        }
    }

    private void linkBusybox() {
        Path busybox = Tools.require("busybox");
        ProcessResult applets = Tools.run(List.of(busybox.toString(), "--list"), Map.of(), root);
        for (String applet : applets.stdout().text().split("\n")) {
            if (!applet.isBlank() && !applet.contains("/")) {
                link(bin.resolve(applet.strip()), busybox);
            }
        }
    }

    private static void link(Path link, Path target) {
        if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeStandIns(Path sw, String daemon) {
        String record = """
                printf '%%s\\n' "$*" >> %1$s/%2$s.log
                { echo --; env | sort; } >> %1$s/%2$s.env
                """;
        script(root.resolve("npc-daemon.body"), daemon.replace("@ROOT@", root.toString()).replace("@LOGS@", logs.toString()));
        Path store = mkdirs(root.resolve("nix/store"));
        Path system = mkdirs(store.resolve("0123456789abcdfghijklmnpqrsvwxyz-nixos-system-stand-in/bin"));
        script(system.resolve("switch-to-configuration"), "#!/bin/sh\n" + record.formatted(logs, "switch"));
        script(sw.resolve("nix"), "#!/bin/bash\n" + record.formatted(logs, "nix") + """
                # Stand-in for `nix build`: what the bootstrap and npc-daemon build, nothing else.
                link=""
                installable=""
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --out-link) link=$2; shift ;;
                    --option) shift 2 ;;
                    --extra-experimental-features) shift ;;
                    *'#'*) installable=$1 ;;
                  esac
                  shift
                done
                pinned() {
                  mkdir -p %1$s/$1/bin
                  ln -sfn "$2" %1$s/$1/bin/$3
                  echo %1$s/$1
                }
                case "$installable" in
                  *'#nixosConfigurations."'*'".config.services.npc.package')
                    if [ -e %2$s/npc-build-fails ]; then echo "error: stand-in: building npc failed" >&2; exit 1; fi
                    [ -n "$link" ] || { echo "stand-in nix: no --out-link" >&2; exit 2; }
                    mkdir -p "$link.d/bin"
                    cp %2$s/npc-daemon.body "$link.d/bin/npc-daemon"
                    chmod 755 "$link.d/bin/npc-daemon"
                    ln -sfn "$link.d" "$link" ;;
                  *'#openssl.bin') pinned 2vbd1k7gnwrahf8b1kqd0mcz6apvqr0s-openssl-3.4.1-bin %3$s openssl ;;
                  *'#zstd.bin') pinned q3f9dhj58crz4m1y0hxnw7lsbjkavg6i-zstd-1.5.7-bin %4$s zstd ;;
                  *'#nixosConfigurations."'*'".config.system.build.toplevel') echo %5$s ;;
                  *) echo "stand-in nix: unexpected nix $*" >&2; exit 2 ;;
                esac
                """.formatted(store, root, Tools.require("openssl"), Tools.require("zstd"), system.getParent()));
        for (String tool : List.of("nix-env", "nix-store")) {
            script(sw.resolve(tool), "#!/bin/sh\n" + record.formatted(logs, tool));
        }
        script(sw.resolve("nixos-rebuild"), "#!/bin/sh\n" + record.formatted(logs, "nixos-rebuild")
                + "echo 'stand-in: the bootstrap must never run nixos-rebuild' >&2\nexit 1\n");
        script(sw.resolve("systemctl"), "#!/bin/sh\n" + record.formatted(logs, "systemctl") + """
                case "$1" in
                  is-active)
                    if [ -e "%1$s/active/$2" ]; then echo active; exit 0; fi
                    echo inactive
                    exit 3 ;;
                  is-system-running) echo running ;;
                esac
                """.formatted(root));
        script(sw.resolve("systemd-run"), "#!/bin/bash\n" + record.formatted(logs, "systemd-run") + """
                # Parses systemd-run's command line: options (some take a value when not given with
                # "="), then the command, after "--" or at the first non-option.
                unit_env=()
                command=()
                wait=""
                while [ $# -gt 0 ]; do
                  case "$1" in
                    --) shift; break ;;
                    --setenv=*) unit_env+=("${1#--setenv=}") ;;
                    -E | --setenv)
                      case "$2" in *=*) unit_env+=("$2") ;; *) unit_env+=("$2=${!2}") ;; esac
                      shift ;;
                    -p | --property | -u | --unit | --description | --slice | --service-type | --uid | --gid | --working-directory)
                      shift ;;
                    --wait | --pipe | --pty | -P | -t) wait=yes ;;
                    -*) ;;
                    *) break ;;
                  esac
                  shift
                done
                command=("$@")
                if [ -n "$wait" ]; then
                  # --wait, --pipe: the caller waits for the unit and gets its exit code.
                  mapfile -t machine < %1$s/machine.env
                  exec env -i "${machine[@]}" "${unit_env[@]}" "${command[@]}"
                fi
                # Otherwise the unit runs on its own: record it for run-unit.
                printf '%%s\n' "${unit_env[@]}" > %1$s/unit/env
                printf '%%s\n' "${command[@]}" > %1$s/unit/argv
                if [ -e %1$s/unit-deferred ]; then
                  touch "%1$s/active/%2$s"
                  exit 0
                fi
                %1$s/run-unit
                """.formatted(root, UNIT));
        script(root.resolve("run-unit"), """
                #!/bin/bash
                # Starts the recorded unit as PID 1 would: the manager's environment, then --setenv.
                mapfile -t machine < %1$s/machine.env
                mapfile -t unit_env < %1$s/unit/env
                mapfile -t command < %1$s/unit/argv
                touch "%1$s/active/%2$s"
                code=0
                env -i "${machine[@]}" "${unit_env[@]}" "${command[@]}" >> %3$s/console.log 2>&1 || code=$?
                rm -f "%1$s/active/%2$s"
                echo "$code" >> %3$s/unit-exit.log
                """.formatted(root, UNIT, logs));
    }

    /** Removes the links to the system's programs, so cleaning the directory up touches nothing else. */
    @Override
    public void close() {
        try (var files = Files.walk(root)) {
            for (Path link : files.filter(Files::isSymbolicLink).toList()) {
                Files.delete(link);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes machine.env before each run: tests may change {@link #machine()} until then. */
    private void writeMachineEnv() {
        StringBuilder text = new StringBuilder();
        machine.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        write(root.resolve("machine.env"), text.toString());
    }

    private void flag(String relative, boolean on) {
        try {
            if (on) {
                Files.writeString(root.resolve(relative), "");
            } else {
                Files.deleteIfExists(root.resolve(relative));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> read(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void script(Path file, String body) {
        write(file, body);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
