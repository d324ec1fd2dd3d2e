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
 * Stand-in system commands (nix, nix-env, nix-store, systemctl) and fake toplevels, written as
 * shell scripts into a temporary directory. Each logs its argv, tab-separated, to calls.log, so
 * tests assert the exact commands the daemon ran; otherwise they do what the real ones do to the
 * links the daemon reads (the system profile, /run/current-system).
 *
 * A test flake steers the stand-in build through plain files: {@code system-name} names the
 * toplevel it builds, {@code build-fails} makes the build fail, {@code switch-fails} makes the
 * built system's switch-to-configuration fail, {@code self-daemon} gives it a sw/bin/npc-daemon,
 * {@code build-sleeps} and {@code switch-sleeps} (seconds) make the build or the switch slow.
 */
public final class StandIns {
    public final Path root;
    public final Path bin;
    public final Path nixStore;
    public final Path callsLog;
    public final Path currentSystem;
    public final Path systemProfile;
    public final Path systemState;

    private StandIns(Path root) {
        this.root = root;
        this.bin = root.resolve("bin");
        this.nixStore = root.resolve("nix-store");
        this.callsLog = root.resolve("calls.log");
        this.currentSystem = root.resolve("run/current-system");
        this.systemProfile = root.resolve("profiles/system");
        this.systemState = root.resolve("system-state");
    }

    /** Stand-ins plus an initial system, "initial", that runs and is in the profile. */
    public static StandIns create(Path root) {
        StandIns s = new StandIns(root);
        try {
            Files.createDirectories(s.bin);
            Files.createDirectories(s.nixStore);
            Files.createDirectories(s.currentSystem.getParent());
            Files.createDirectories(s.systemProfile.getParent());
            s.writeScripts();
            Path initial = s.toplevel("initial");
            Files.createSymbolicLink(s.currentSystem, initial);
            Files.createSymbolicLink(s.systemProfile, initial);
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
                + "[ -f \"$self/switch-sleeps\" ] && sleep \"$(cat \"$self/switch-sleeps\")\"\n"
                + "if [ -f \"$self/fail-switch\" ]; then echo 'warning: the following units failed: nginx.service'; exit 4; fi\n"
                + "case \"$1\" in switch|test) ln -sfn \"$self\" '" + currentSystem + "';; esac\n");
        script(bin.resolve("mk-toplevel"), "#!/bin/sh\n"
                + "out=\"$1\"; mkdir -p \"$out/bin\"; cp '" + bin.resolve("switch-template") + "' \"$out/bin/switch-to-configuration\"\n"
                + "chmod +x \"$out/bin/switch-to-configuration\"\n");
        script(bin.resolve("nix"), "#!/bin/sh\n" + log + "log nix \"$@\"\n"
                + "for a in \"$@\"; do case \"$a\" in path:*) inst=\"${a#path:}\";; esac; done\n"
                + "dir=\"${inst%%#*}\"\n"
                + "echo \"evaluating $inst\" >&2\n"
                + "if [ -f \"$dir/build-fails\" ]; then echo \"error: builder for '/nix/store/x-nixos-system.drv' failed\"; cat \"$dir/build-fails\"; exit 1; fi\n"
                + "[ -f \"$dir/build-sleeps\" ] && sleep \"$(cat \"$dir/build-sleeps\")\"\n"
                + "out='" + nixStore + "'/$(cat \"$dir/system-name\")\n"
                + "'" + bin.resolve("mk-toplevel") + "' \"$out\"\n"
                + "[ -f \"$dir/switch-fails\" ] && touch \"$out/fail-switch\"\n"
                + "[ -f \"$dir/switch-sleeps\" ] && cp \"$dir/switch-sleeps\" \"$out/\"\n"
                + "if [ -f \"$dir/self-daemon\" ]; then mkdir -p \"$out/sw/bin\"; echo '#!/bin/sh' > \"$out/sw/bin/npc-daemon\"; fi\n"
                + "echo \"$out\"\n");
        script(bin.resolve("nix-env"), "#!/bin/sh\n" + log + "log nix-env \"$@\"\n"
                + "[ \"$1\" = -p ] && [ \"$3\" = --set ] && ln -sfn \"$4\" \"$2\"\n");
        script(bin.resolve("nix-store"), "#!/bin/sh\n" + log + "log nix-store \"$@\"\n"
                + "if [ -f '" + root.resolve("realise-verbatim") + "' ]; then echo \"$2\"; exit 0; fi\n"
                + "out='" + nixStore + "'/$(basename \"$2\")\n"
                + "'" + bin.resolve("mk-toplevel") + "' \"$out\"\n"
                + "echo \"copying path '$2' from 'https://cache.example'...\" >&2\n"
                + "echo \"$out\"\n");
        script(bin.resolve("systemctl"), "#!/bin/sh\n" + log + "log systemctl \"$@\"\n"
                + "state=$(cat '" + systemState + "' 2>/dev/null || echo running)\n"
                + "echo \"$state\"\n[ \"$state\" = running ]\n");
    }

    /** A fake toplevel in the fake store: a directory with a stand-in bin/switch-to-configuration. */
    public Path toplevel(String name) {
        Path out = nixStore.resolve(name);
        try {
            Files.createDirectories(out.resolve("bin"));
            Path script = out.resolve("bin/switch-to-configuration");
            Files.copy(bin.resolve("switch-template"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
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

    public void clearCalls() {
        try {
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
