package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A NixOS host in a directory, for bootstrap/npc-bootstrap.sh: stand-ins for the commands that
 * change a system (nix, systemctl, mkswap, swapon, swapoff), each logging its arguments, and
 * the state, bootstrap and swap paths inside the directory. The real bash, curl, dd and awk run.
 */
final class BootstrapSandbox {
    private final Path root;
    private final Map<String, String> env = new HashMap<>();

    /**
     * @param daemon the body of the npc-daemon that the stand-in `nix build` puts into its out-link
     */
    BootstrapSandbox(Path root, String imdsEndpoint, String daemon) {
        this.root = root;
        Path bin = mkdirs(root.resolve("bin"));
        Path logs = mkdirs(root.resolve("logs"));
        script(bin.resolve("nix"), """
                #!/bin/sh
                # Stand-in for `nix build --out-link LINK FLAKE`: puts the daemon at LINK/bin/npc-daemon.
                printf '%%s\\n' "$*" >> %1$s/nix.log
                link=""
                while [ $# -gt 0 ]; do
                  if [ "$1" = "--out-link" ]; then link=$2; shift; fi
                  shift
                done
                [ -n "$link" ] || { echo "stand-in nix: no --out-link" >&2; exit 2; }
                mkdir -p "$link.d/bin"
                cp %2$s "$link.d/bin/npc-daemon"
                chmod 755 "$link.d/bin/npc-daemon"
                ln -sfn "$link.d" "$link"
                """.formatted(logs, bin.resolve("npc-daemon.body")));
        script(bin.resolve("npc-daemon.body"), daemon);
        script(bin.resolve("systemctl"), """
                #!/bin/sh
                printf '%%s\\n' "$*" >> %s/systemctl.log
                [ -e %s ] && exit 0
                exit 3
                """.formatted(logs, root.resolve("npc-is-active")));
        for (String tool : List.of("mkswap", "swapon", "swapoff")) {
            script(bin.resolve(tool), """
                    #!/bin/sh
                    printf '%s %%s\\n' "$*" >> %s/swap.log
                    """.formatted(tool, logs));
        }
        memory(8 * 1024 * 1024);

        env.put("NPC_STORE", "s3://fleet-bucket/fleet");
        env.put("NPC_HOST", "web-1");
        env.put("NPC_FLAKE", "github:npc-dev/npc/v0.1.0");
        env.put("NPC_SUBSTITUTERS", "https://cache.example.org");
        env.put("NPC_SWAP_MIB", "1");
        env.put("NPC_IMDS_ENDPOINT", imdsEndpoint);
        env.put("NPC_IMDS_RETRIES", "0");
        env.put("NPC_CURL", Tools.require("curl").toString());
        env.put("NPC_NIX", bin.resolve("nix").toString());
        env.put("NPC_SYSTEMCTL", bin.resolve("systemctl").toString());
        env.put("NPC_MKSWAP", bin.resolve("mkswap").toString());
        env.put("NPC_SWAPON", bin.resolve("swapon").toString());
        env.put("NPC_SWAPOFF", bin.resolve("swapoff").toString());
        env.put("NPC_MEMINFO", root.resolve("meminfo").toString());
        env.put("NPC_STATE_DIR", root.resolve("var/lib/npc").toString());
        env.put("NPC_BOOTSTRAP_DIR", root.resolve("var/lib/npc-bootstrap").toString());
    }

    Map<String, String> env() {
        return env;
    }

    Path path(String relative) {
        return root.resolve(relative);
    }

    /** Sets MemTotal in the stand-in /proc/meminfo. */
    void memory(long kib) {
        write(root.resolve("meminfo"), "MemTotal:       " + kib + " kB\nMemFree:        1000 kB\n");
    }

    void npcServiceActive(boolean active) {
        try {
            if (active) {
                Files.writeString(root.resolve("npc-is-active"), "");
            } else {
                Files.deleteIfExists(root.resolve("npc-is-active"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines a stand-in logged (nix, systemctl, swap, or what the daemon body writes there). */
    List<String> log(String name) {
        Path file = root.resolve("logs").resolve(name + ".log");
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path logs() {
        return root.resolve("logs");
    }

    ProcessResult run() {
        Path script = Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh");
        return Tools.run(List.of(Tools.require("bash").toString(), script.toString()), env, root);
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
