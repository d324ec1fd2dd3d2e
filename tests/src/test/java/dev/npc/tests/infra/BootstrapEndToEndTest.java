package dev.npc.tests.infra;

import dev.npc.digest.Sha256;
import dev.npc.host.HostState;
import dev.npc.json.Json;
import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bootstrap as a new EC2 host runs it, with only the system-changing commands stood in: the
 * user-data script reads the loopback metadata service, "installs" npc-daemon through a stand-in
 * `nix build` that links this checkout's bin/npc-daemon, and the real `npc-daemon install` fetches
 * desired.json and the remote from S3Proxy, builds and switches with stand-ins, and writes the
 * host's state.json to the bucket. A second boot changes nothing.
 */
class BootstrapEndToEndTest {
    private static final String HOST = "web-1";

    @TempDir
    Path work;

    @Test
    void aNewHostBootstrapsReportsToTheStoreAndASecondBootChangesNothing() throws Exception {
        Path daemonJar = Checkout.file("npc-daemon/target/npc-daemon.jar");
        Assumptions.assumeTrue(Files.isRegularFile(daemonJar), "npc-daemon is not built; run ./mvnw -q -DskipTests package");
        Tools.require("bash");

        try (EmbeddedS3 s3 = EmbeddedS3.start(); Store store = s3.open("fleet");
             ImdsStandIn imds = new ImdsStandIn(EmbeddedS3.REGION)) {
            String sha256 = publishExample(store);
            store.put(Layout.desired(HOST), "{\"remote\":\"prod\"}\n".getBytes(StandardCharsets.UTF_8), Map.of());

            BootstrapSandbox host = new BootstrapSandbox(work.resolve("host"), imds.endpoint(),
                    "#!/bin/sh\nexec " + Checkout.file("bin/npc-daemon") + " \"$@\"\n");
            host.env().putAll(s3.environment());
            host.env().remove("AWS_REGION");
            host.env().put("NPC_STORE", s3.storeUrl("fleet"));
            host.env().put("NPC_HOST", HOST);
            Nix nix = Tools.find("nix").map(found -> new Nix(work.resolve("nix"))).orElse(null);
            host.env().putAll(systemStandIns(work.resolve("system"), nix));
            if (nix != null) {
                host.env().putAll(nix.environment());
            }

            ProcessResult first = host.run();

            assertTrue(first.ok(), first.output());
            List<String> builds = host.log("system-nix");
            assertEquals(1, builds.size(), first.output());
            assertTrue(builds.get(0).contains("#nixosConfigurations.\"" + HOST + "\".config.system.build.toplevel"), builds.get(0));
            if (nix != null) {
                assertEquals(1, host.log("evaluated").size(), "the unpacked remote was evaluated: " + first.output());
                assertTrue(host.log("evaluated").get(0).endsWith("-nixos-system-" + HOST + "-stand-in.drv"), host.log("evaluated").toString());
            }
            assertTrue(host.log("switch").contains("switch"), "switch-to-configuration switch ran: " + host.log("switch"));
            assertEquals(1, store.list(Layout.historyPrefix(HOST)).size(), "one history record for the attempt");
            byte[] stateAfterFirstBoot = read(store, Layout.state(HOST));
            HostState reported = Json.read(stateAfterFirstBoot, HostState.class, "state.json");
            assertEquals(HOST, reported.host());
            assertEquals(HostState.Attempt.SUCCESS, reported.lastAttempt().result(), first.output());
            assertEquals(sha256, reported.current().sha256());
            List<String> buildsAfterFirstBoot = host.log("system-nix");

            ProcessResult second = host.run();

            assertTrue(second.ok(), second.output());
            assertTrue(second.output().contains("nothing to do"), second.output());
            assertArrayEquals(stateAfterFirstBoot, read(store, Layout.state(HOST)));
            assertEquals(buildsAfterFirstBoot, host.log("system-nix"));
            assertEquals(1, host.log("nix").size(), "npc-daemon was built once");
        }
    }

    private static byte[] read(Store store, String key) throws Exception {
        try (GetResult result = store.get(key, null)) {
            if (result instanceof GetResult.Found found) {
                return found.body().readAllBytes();
            }
            throw new AssertionError(key + " is not in the store: " + result);
        }
    }

    /** Packs the example fleet (the repository's flake) as `npc push` would and puts it at remotes/prod.npc; returns its version. */
    private String publishExample(Store store) throws Exception {
        Path example = Checkout.copyTo(work.resolve("example"));
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        PackResult result = new Packer(new SystemProcessRunner()).pack(example, PackOptions.DEFAULT, packed);
        assertEquals(result.sha256(), Sha256.hex(packed.toByteArray()));
        store.put(Layout.remote("prod"), packed.toByteArray(),
                new RemoteMetadata(RemoteMetadata.CURRENT_FORMAT, result.sha256(), result.files(), null, null, null).toMap());
        return result.sha256();
    }

    /**
     * Stand-ins for what the daemon runs to change the system: `nix build` prints a system whose
     * switch-to-configuration logs and succeeds; nix-env, nix-store and systemctl log and succeed.
     * Where Debian's nix is installed, the stand-in `nix build` first evaluates the attribute it was
     * asked for in the unpacked remote for real (offline, nixpkgs replaced by the stand-in), so
     * a remote that does not evaluate for this host fails the build as it would on the host.
     */
    private static Map<String, String> systemStandIns(Path dir, Nix nix) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path system = Files.createDirectories(dir.resolve("nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-web-1/bin"));
        Path logs = dir.getParent().resolve("host/logs");
        script(system.resolve("switch-to-configuration"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("switch.log") + "\n");
        String evaluate = nix == null ? "" : """
                ref=""
                for arg in "$@"; do case "$arg" in *'#'*) ref=$arg ;; esac; done
                drv=$(nix --extra-experimental-features 'nix-command flakes' eval --raw --offline --no-write-lock-file \\
                  --override-input nixpkgs %s "$ref.drvPath") || exit 1
                echo "$drv" >> %s
                """.formatted(nix.standInNixpkgs(), logs.resolve("evaluated.log"));
        script(bin.resolve("nix"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("system-nix.log") + "\n" + evaluate
                + "echo " + system.getParent() + "\n");
        script(bin.resolve("nix-env"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("nix-env.log") + "\n");
        script(bin.resolve("nix-store"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("nix-store.log") + "\n");
        script(bin.resolve("systemctl"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("daemon-systemctl.log") + "\necho running\n");
        // The daemon switches through systemd-run (taken from systemctl's directory), as nixos-rebuild does.
        script(bin.resolve("systemd-run"), "#!/bin/sh\necho \"$*\" >> " + logs.resolve("systemd-run.log") + "\n"
                + "while [ $# -gt 0 ]; do case \"$1\" in -E) shift 2;; -*) shift;; *) break;; esac; done\nexec \"$@\"\n");
        return Map.of("NPC_NIX_BIN", bin.resolve("nix").toString(),
                "NPC_SYSTEMCTL_BIN", bin.resolve("systemctl").toString());
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
