package dev.npc.daemon.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stand-in system commands (nix, nix-env, nix-store, systemctl, systemd-run) and fake toplevels,
 * written as shell scripts into a temporary directory. Each logs its argv, tab-separated, to
 * calls.log, so tests assert the exact commands the daemon ran; otherwise they do what the real
 * ones do to the links the daemon reads: nix-env keeps {@code system-<N>-link} generations next to
 * the profile as real nix-env does, systemd-run runs its command as a transient unit (refusing a
 * unit name that is in use, as systemd does), systemctl answers from files. The environment
 * variables the daemon must pass (NIX_REMOTE, NIXOS_INSTALL_BOOTLOADER) go to env.log.
 *
 * A test flake steers the stand-in build through plain files: {@code system-name} names the
 * toplevel it builds, {@code build-fails} makes the build fail, {@code lock-incomplete} makes nix
 * refuse the lock as --no-update-lock-file does, {@code switch-fails} makes the built system's
 * switch-to-configuration fail, {@code switch-locked} makes it find switch-to-configuration's lock
 * held (as switch-to-configuration-ng says it), {@code fails-unit} makes a unit fail when it runs
 * (the system turns degraded), {@code self-daemon} gives it a sw/bin/npc-daemon, {@code npc-unit}
 * becomes its etc/systemd/system/npc.service, {@code build-sleeps} and {@code switch-sleeps}
 * (seconds) make the build or the switch slow, {@code build-waits-for} and {@code switch-waits-for}
 * (a path) hold the build or the switch until that path is gone, {@code kernel} (a version) and {@code kernel-params}
 * set what the toplevel boots (its kernel, initrd and kernel-modules links and kernel-params
 * file; by default {@value #DEFAULT_KERNEL} and {@value #DEFAULT_PARAMS}, as the initial system),
 * and {@code fails-at-boot} names a unit that fails when the system is booted ({@link #boot}).
 *
 * <p>{@link #rebooter} stands in for the reboot: it logs the command to calls.log like the
 * scripts and stops the daemon as a shutdown does; {@link #boot} then plays the boot: a new boot id,
 * the boot loader's default (the system profile) booted and running, no transient or failed units.
 */
public final class StandIns {
    public final Path root;
    public final Path bin;
    public final Path nixStore;
    public final Path callsLog;
    public final Path envLog;
    public final Path currentSystem;
    public final Path bootedSystem;
    public final Path systemProfile;
    public final Path systemState;
    /** One line per unit systemctl list-units --state=failed reports. */
    public final Path failedUnits;
    /** Transient units in use: a file per unit, holding its process id. */
    public final Path transientUnits;
    /** What /proc/sys/kernel/random/boot_id says: a new id after each {@link #boot}. */
    public final Path bootId;
    /** The kernel version and command line a toplevel boots unless its flake says otherwise. */
    public static final String DEFAULT_KERNEL = "6.6.1";
    public static final String DEFAULT_PARAMS = "loglevel=4";
    private final java.util.List<Runnable> onReboot = new java.util.concurrent.CopyOnWriteArrayList<>();

    private StandIns(Path root) {
        this.root = root;
        this.bin = root.resolve("bin");
        this.nixStore = root.resolve("nix-store");
        this.callsLog = root.resolve("calls.log");
        this.envLog = root.resolve("env.log");
        this.currentSystem = root.resolve("run/current-system");
        this.bootedSystem = root.resolve("run/booted-system");
        this.systemProfile = root.resolve("profiles/system");
        this.systemState = root.resolve("system-state");
        this.failedUnits = root.resolve("failed-units");
        this.transientUnits = root.resolve("run/transient");
        this.bootId = root.resolve("boot-id");
    }

    /** Stand-ins plus an initial system, "initial", that runs, booted and is generation 1 of the profile. */
    public static StandIns create(Path root) {
        StandIns s = new StandIns(root);
        try {
            Files.createDirectories(s.bin);
            Files.createDirectories(s.nixStore);
            Files.createDirectories(s.currentSystem.getParent());
            Files.createDirectories(s.transientUnits);
            Files.createDirectories(s.systemProfile.getParent());
            s.writeScripts();
            Files.writeString(s.bootId, "boot-1\n");
            Path initial = s.toplevel("initial");
            Files.createSymbolicLink(s.currentSystem, initial);
            Files.createSymbolicLink(s.bootedSystem, initial);
            Files.createSymbolicLink(s.systemProfile.resolveSibling("system-1-link"), initial);
            Files.createSymbolicLink(s.systemProfile, Path.of("system-1-link"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    private void writeScripts() throws IOException {
        String log = "log() { printf '%s' \"$1\" >> '" + callsLog + "'; shift; for a in \"$@\"; do printf '\\t%s' \"$a\" >> '"
                + callsLog + "'; done; printf '\\n' >> '" + callsLog + "'; }\n";
        script(bin.resolve("switch-template"), "#!/bin/sh\n" + log
                + "self=$(cd \"$(dirname \"$0\")/..\" && pwd)\n"
                + "log \"$self/bin/switch-to-configuration\" \"$@\"\n"
                + "echo \"activating the configuration... ($1)\"\n"
                + "if [ -f \"$self/switch-sleeps\" ]; then\n"
                + "  sleep \"$(cat \"$self/switch-sleeps\")\" & pause=$!\n"
                + "  trap 'kill $pause; echo \"switch-to-configuration: stopped by SIGTERM\"; exit 143' TERM\n"
                + "  wait $pause; trap - TERM\n"
                + "fi\n"
                + "if [ -f \"$self/switch-waits-for\" ]; then\n"
                + "  while [ -e \"$(cat \"$self/switch-waits-for\")\" ]; do sleep 0.05; done\n"
                + "fi\n"
                + "if [ -f \"$self/switch-locked\" ]; then echo 'Could not acquire lock'; exit 11; fi\n"
                // Like the real switch it prints as it works, and dies at a line nobody can read any
                // more (SIGPIPE here; switch-to-configuration-ng panics on the closed stream).
                + "echo 'setting up /etc...'\n"
                + "if [ -f \"$self/fails-unit\" ]; then cat \"$self/fails-unit\" >> '" + failedUnits + "'; echo degraded > '" + systemState + "'; fi\n"
                + "if [ -f \"$self/fail-switch\" ]; then echo 'warning: the following units failed: nginx.service'; exit 4; fi\n"
                + "case \"$1\" in switch|test) ln -sfn \"$self\" '" + currentSystem + "';; esac\n");
        // A toplevel's boot files as nixpkgs' kernel.nix makes them: kernel, initrd and kernel-modules
        // links (here into stand-in store paths named after the kernel version) and a kernel-params file.
        script(bin.resolve("mk-toplevel"), "#!/bin/sh\n"
                + "out=\"$1\"; kernel=\"${2:-" + DEFAULT_KERNEL + "}\"; params=\"${3:-" + DEFAULT_PARAMS + "}\"\n"
                + "mkdir -p \"$out/bin\"; cp '" + bin.resolve("switch-template") + "' \"$out/bin/switch-to-configuration\"\n"
                + "chmod +x \"$out/bin/switch-to-configuration\"\n"
                + "store='" + nixStore + "'\n"
                + "ln -sfn \"$store/linux-$kernel/bzImage\" \"$out/kernel\"\n"
                + "ln -sfn \"$store/initrd-linux-$kernel/initrd\" \"$out/initrd\"\n"
                + "ln -sfn \"$store/linux-$kernel-modules\" \"$out/kernel-modules\"\n"
                + "printf '%s' \"$params\" > \"$out/kernel-params\"\n");
        script(bin.resolve("nix"), "#!/bin/sh\n" + log + "log nix \"$@\"\n"
                + "echo \"nix NIX_REMOTE=$NIX_REMOTE\" >> '" + envLog + "'\n"
                + "link=''; prev=''\n"
                + "for a in \"$@\"; do case \"$a\" in path:*) inst=\"${a#path:}\";; esac; [ \"$prev\" = --out-link ] && link=\"$a\"; prev=\"$a\"; done\n"
                + "dir=\"${inst%%#*}\"\n"
                + "echo \"evaluating $inst\" >&2\n"
                + "if [ -f \"$dir/lock-incomplete\" ]; then echo \"error: flake 'path:$dir' requires lock file changes but they're not allowed due to '--no-update-lock-file'\"; exit 1; fi\n"
                + "if [ -f \"$dir/build-fails\" ]; then echo \"error: builder for '/nix/store/x-nixos-system.drv' failed\"; cat \"$dir/build-fails\"; exit 1; fi\n"
                + "[ -f \"$dir/build-sleeps\" ] && sleep \"$(cat \"$dir/build-sleeps\")\"\n"
                + "if [ -f \"$dir/build-waits-for\" ]; then\n"
                + "  while [ -e \"$(cat \"$dir/build-waits-for\")\" ]; do sleep 0.05; done\n"
                + "fi\n"
                + "out='" + nixStore + "'/$(cat \"$dir/system-name\")\n"
                + "'" + bin.resolve("mk-toplevel") + "' \"$out\" \"$(cat \"$dir/kernel\" 2>/dev/null)\""
                + " \"$(cat \"$dir/kernel-params\" 2>/dev/null)\"\n"
                + "[ -f \"$dir/switch-fails\" ] && touch \"$out/fail-switch\"\n"
                + "for f in switch-sleeps switch-waits-for switch-locked fails-unit fails-at-boot; do [ -f \"$dir/$f\" ] && cp \"$dir/$f\" \"$out/\"; done\n"
                + "if [ -f \"$dir/self-daemon\" ]; then mkdir -p \"$out/sw/bin\"; echo '#!/bin/sh' > \"$out/sw/bin/npc-daemon\"; fi\n"
                + "if [ -f \"$dir/npc-unit\" ]; then mkdir -p \"$out/etc/systemd/system\"; cp \"$dir/npc-unit\" \"$out/etc/systemd/system/npc.service\"; fi\n"
                + "[ -n \"$link\" ] && ln -sfn \"$out\" \"$link\"\n"
                + "echo \"$out\"\n");
        // nix-env: -p P --set T adds generation P-<N+1>-link -> T and points P at it; --delete-generations removes them.
        script(bin.resolve("nix-env"), "#!/bin/sh\n" + log + "log nix-env \"$@\"\n"
                + "[ \"$1\" = -p ] || exit 0\n"
                + "prof=\"$2\"; dir=$(dirname \"$prof\"); name=$(basename \"$prof\")\n"
                + "case \"$3\" in\n"
                + "  --set)\n"
                + "    n=0; for l in \"$dir/$name\"-*-link; do [ -L \"$l\" ] || continue; k=${l##*/$name-}; k=${k%-link};"
                + " [ \"$k\" -gt \"$n\" ] && n=$k; done\n"
                + "    n=$((n + 1)); ln -sfn \"$4\" \"$dir/$name-$n-link\"; ln -sfn \"$name-$n-link\" \"$prof\";;\n"
                + "  --delete-generations)\n"
                + "    shift 3; for k in \"$@\"; do rm -f \"$dir/$name-$k-link\"; done;;\n"
                + "esac\n");
        script(bin.resolve("nix-store"), "#!/bin/sh\n" + log + "log nix-store \"$@\"\n"
                + "if [ -f '" + root.resolve("realise-verbatim") + "' ]; then echo \"$2\"; exit 0; fi\n"
                + "echo \"nix-store NIX_REMOTE=$NIX_REMOTE\" >> '" + envLog + "'\n"
                + "out='" + nixStore + "'/$(basename \"$2\")\n"
                + "'" + bin.resolve("mk-toplevel") + "' \"$out\"\n"
                + "echo \"copying path '$2' from 'https://cache.example'...\" >&2\n"
                + "if [ \"$3\" = --add-root ]; then ln -sfn \"$out\" \"$4\"; echo \"$4\"; else echo \"$out\"; fi\n");
        script(bin.resolve("systemctl"), "#!/bin/sh\n" + log + "log systemctl \"$@\"\n"
                + "units='" + transientUnits + "'\n"
                + "case \"$1\" in\n"
                + "  is-active) if [ -f \"$units/$2\" ]; then echo active; exit 0;"
                + " elif [ -f \"$units/$2.failed\" ]; then echo failed; exit 3; else echo inactive; exit 3; fi;;\n"
                + "  reset-failed) rm -f \"$units/$2.failed\"; exit 0;;\n"
                + "  stop) [ -f \"$units/$2\" ] && kill -TERM \"$(cat \"$units/$2\")\"; exit 0;;\n"
                + "  list-units) [ -f '" + failedUnits + "' ] && while read -r u; do echo \"$u loaded failed failed stand-in\";"
                + " done < '" + failedUnits + "'; exit 0;;\n"
                + "esac\n"
                + "state=$(cat '" + systemState + "' 2>/dev/null || echo running)\n"
                + "echo \"$state\"\n[ \"$state\" = running ]\n");
        // systemd-run --unit=U ... --wait CMD: CMD runs as unit U, which exists while it runs; a second
        // U is refused with systemd's words; the exit status is CMD's, as with --wait.
        script(bin.resolve("systemd-run"), "#!/bin/sh\n" + log + "log systemd-run \"$@\"\n"
                + "echo \"systemd-run NIXOS_INSTALL_BOOTLOADER=$NIXOS_INSTALL_BOOTLOADER\" >> '" + envLog + "'\n"
                + "unit=run-u1\n"
                + "while [ $# -gt 0 ]; do\n"
                + "  case \"$1\" in -E) shift;; --unit=*) unit=\"${1#--unit=}\";; -*) ;; *) break;; esac\n"
                + "  shift\n"
                + "done\n"
                + "units='" + transientUnits + "'\n"
                + "if [ -f \"$units/$unit.service\" ]; then\n"
                + "  echo \"Failed to start transient service unit: Unit $unit.service was already loaded or has a fragment file.\" >&2; exit 1\n"
                + "fi\n"
                + "\"$@\" & pid=$!\n"
                + "echo $pid > \"$units/$unit.service\"\n"
                + "wait $pid; code=$?\n"
                + "rm -f \"$units/$unit.service\"\n"
                + "exit $code\n");
    }

    /**
     * A fake toplevel in the fake store: a directory with a stand-in bin/switch-to-configuration
     * and the default kernel's boot files.
     */
    public Path toplevel(String name) {
        Path out = nixStore.resolve(name);
        try {
            Files.createDirectories(out.resolve("bin"));
            Path script = out.resolve("bin/switch-to-configuration");
            Files.copy(bin.resolve("switch-template"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (var link : java.util.Map.of("kernel", "linux-" + DEFAULT_KERNEL + "/bzImage",
                    "initrd", "initrd-linux-" + DEFAULT_KERNEL + "/initrd",
                    "kernel-modules", "linux-" + DEFAULT_KERNEL + "-modules").entrySet()) {
                Files.deleteIfExists(out.resolve(link.getKey()));
                Files.createSymbolicLink(out.resolve(link.getKey()), nixStore.resolve(link.getValue()));
            }
            Files.writeString(out.resolve("kernel-params"), DEFAULT_PARAMS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The reboot seam's stand-in: its boot id is {@link #bootId}'s; a reboot is logged to calls.log
     * as its argv (like every stand-in command) and then stops the daemon as a shutdown does, by
     * running {@link #onReboot} actions (TestFleet passes the daemon's shutdown hooks). The test
     * then calls {@link #boot} and starts a daemon again, as systemd would after the boot.
     */
    public dev.npc.daemon.Rebooter rebooter() {
        return new dev.npc.daemon.Rebooter() {
            @Override
            public String bootId() throws IOException {
                return Files.readString(StandIns.this.bootId).strip();
            }

            @Override
            public void reboot(List<String> command) throws IOException {
                Files.writeString(callsLog, String.join("\t", command) + "\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Files.writeString(root.resolve("reboot-requested"), String.join(" ", command));
                onReboot.forEach(Runnable::run);
            }
        };
    }

    /** What a requested reboot does to the daemon (besides being logged): TestFleet stops it here. */
    public void onReboot(Runnable action) {
        onReboot.add(action);
    }

    /** Whether a reboot was asked for since the last {@link #boot}. */
    public boolean rebootRequested() {
        return Files.exists(root.resolve("reboot-requested"));
    }

    /** A boot into what the boot loader starts by default: the system profile's generation. */
    public void boot() {
        boot(profile());
    }

    /**
     * A boot into {@code toplevel} (another one than the default plays a boot loader that fell
     * back): a new boot id, it is booted and runs, transient and failed units are gone and the
     * system runs, unless the toplevel's fails-at-boot names a unit that fails then.
     */
    public void boot(String toplevel) {
        try {
            String previous = Files.readString(bootId).strip();
            Files.writeString(bootId, "boot-" + (Integer.parseInt(previous.substring("boot-".length())) + 1) + "\n");
            Files.deleteIfExists(root.resolve("reboot-requested"));
            for (Path link : List.of(bootedSystem, currentSystem)) {
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of(toplevel));
            }
            try (var units = Files.list(transientUnits)) {
                for (Path unit : units.toList()) {
                    Files.delete(unit);
                }
            }
            Files.deleteIfExists(failedUnits);
            Files.deleteIfExists(systemState);
            Path failsAtBoot = Path.of(toplevel, "fails-at-boot");
            if (Files.exists(failsAtBoot)) {
                Files.writeString(failedUnits, Files.readString(failsAtBoot));
                systemState("degraded");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * From now on nix-store --realise prints the path it was given, as the real one does, instead
     * of making a stand-in toplevel in the fake store (which has another path).
     */
    public void realiseVerbatim() {
        try {
            Files.writeString(root.resolve("realise-verbatim"), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What systemctl is-system-running answers from now on. */
    public void systemState(String state) {
        try {
            Files.writeString(systemState, state + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every call so far, each as its argv. */
    public List<List<String>> calls() {
        try {
            if (!Files.exists(callsLog)) {
                return List.of();
            }
            List<List<String>> calls = new ArrayList<>();
            for (String line : Files.readAllLines(callsLog)) {
                calls.add(Arrays.asList(line.split("\t", -1)));
            }
            return calls;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every call so far as one line, argv joined by spaces, for readable assertions. */
    public List<String> commands() {
        return calls().stream().map(c -> String.join(" ", c)).toList();
    }

    /** The units systemctl list-units --state=failed reports from now on. */
    public void failedUnits(String... units) {
        try {
            Files.writeString(failedUnits, units.length == 0 ? "" : String.join("\n", units) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of env.log: which stand-in saw which variable. */
    public List<String> environment() {
        try {
            return Files.exists(envLog) ? Files.readAllLines(envLog) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The profile's generation numbers, oldest first. */
    public List<Integer> generations() {
        try (var entries = Files.list(systemProfile.getParent())) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.matches("system-[0-9]+-link"))
                    .map(n -> Integer.parseInt(n.replaceAll("[^0-9]", ""))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void clearCalls() {
        try {
            Files.deleteIfExists(envLog);
            Files.deleteIfExists(callsLog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String running() {
        return resolve(currentSystem);
    }

    public String profile() {
        return resolve(systemProfile);
    }

    private static String resolve(Path link) {
        try {
            return link.toRealPath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void script(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
