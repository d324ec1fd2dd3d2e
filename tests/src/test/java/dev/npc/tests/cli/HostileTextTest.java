package dev.npc.tests.cli;

import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text written into the bucket by a host (or anyone who can write it) reaches the admin's
 * terminal only as visible characters: no escape sequence that clears the screen, hides text or
 * plants a link, no C1 control, no bidi override that reorders what the admin reads. Every
 * command that prints bucket text is run against hostile documents and its whole output checked.
 */
class HostileTextTest {
    /** Clear screen, home, hidden text, an OSC-8 link, a C1 CSI, a bidi override, a fake new row, DEL and NUL. */
    static final String HOSTILE = "build failed\u001B[2J\u001B[H\u001B[8mhidden\u001B[0m "
            + "\u001B]8;;https://evil.example/\u0007click here\u001B]8;;\u0007 \u009B31mred\u202Egnp.exe\u2066x\u2069"
            + "\nweb-9  up to date\r\u007F\u0000\u200B";

    @TempDir
    Path tmp;
    String storeUrl;
    Store store;
    String version;

    @BeforeEach
    void setUp() throws Exception {
        storeUrl = tmp.resolve("store").toUri().toString();
        store = Stores.open(storeUrl, StoreOptions.DEFAULT);
        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        assertEquals(0, npc("push", "--src", flake.toString(), "--remote", "prod").exitCode());
        version = store.head(Layout.remote("prod")).orElseThrow().meta(RemoteMetadata.SHA256);
        // (Object metadata cannot carry control characters: S3 and the file store take printable ASCII only.)
        assertEquals(0, npc("hosts", "set", "web-1", "--remote", "prod").exitCode());
        assertEquals(0, npc("hosts", "set", "web-2", "--remote", "prod").exitCode());
        HostState failed = StateBuilder.host("web-1").daemonVersion("0.1.0\u001B[2J").desired("prod", version)
                .attempted(version, Result.FAILED, HOSTILE, HOSTILE).message(HOSTILE).build();
        store.put(Layout.state("web-1"), Json.write(failed), Map.of());
        HostState desiredError = StateBuilder.host("web-2").desiredError("prod", HOSTILE).build();
        store.put(Layout.state("web-2"), Json.write(desiredError), Map.of());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private CliRun npc(String... args) {
        return CliRun.npcWith(List.of("--store", storeUrl), args);
    }

    @Test
    void nothingRawFromTheBucketReachesTheTerminal() throws Exception {
        List<CliRun> runs = new ArrayList<>();
        runs.add(npc("status"));
        runs.add(npc("status", "--json"));
        runs.add(npc("status", "--remote", "prod"));
        runs.add(npc("hosts", "list"));
        runs.add(npc("hosts", "list", "--json"));
        runs.add(npc("remotes"));
        runs.add(npc("remotes", "--json"));
        runs.add(npc("wait", "--remote", "prod", "--timeout", "2s", "--every", "50ms"));
        runs.add(npc("rollout", "--from", "prod", "--through", "wave-1", "--timeout", "2s", "--every", "50ms"));
        runs.add(npc("verify", "--remote", "prod", "--trusted-key", trustedKey()));
        runs.add(npc("watch", "--once", "--on-change", "true", "--state", tmp.resolve("watch.json").toString()));
        for (CliRun run : runs) {
            assertClean(run);
        }
        CliRun status = runs.get(0);
        assertTrue(status.out().contains("web-1") && status.out().contains("build failed"), status::toString);
        assertEquals(4, status.out().strip().lines().count(), "a header, two hosts and the summary; no forged row:\n"
                + status.out());
    }

    @Test
    void namesInsideAnArchiveAreNotEchoedRaw() throws Exception {
        byte[] archive = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX)
                .file("\u001B[2J\u001B]8;;https://evil.example/\u0007x\u202E/../../escape", "x").build();
        store.put(Layout.remote("hostile"), archive,
                new RemoteMetadata(1, dev.npc.digest.Sha256.hex(archive), 2, null, null, null).toMap());
        CliRun pull = npc("pull", "--remote", "hostile", "--dst", tmp.resolve("pulled").toString());
        assertEquals(1, pull.exitCode(), pull::toString);
        assertTrue(pull.err().contains("climbs out"), pull::toString);
        assertClean(pull);
    }

    private String trustedKey() throws Exception {
        Path pub = tmp.resolve("ci.pub");
        assertEquals(0, CliRun.npc("keys", "generate", "--private", tmp.resolve("ci.key").toString(),
                "--public", pub.toString()).exitCode());
        return pub.toString();
    }

    /** Only printable text, spaces and line breaks: no C0 but '\n', no DEL, no C1, no invisible format character. */
    static void assertClean(CliRun run) {
        String all = run.out() + run.err();
        for (int i = 0; i < all.length(); ) {
            int c = all.codePointAt(i);
            boolean control = c < 0x20 && c != '\n' || c >= 0x7F && c <= 0x9F;
            boolean invisible = Character.getType(c) == Character.FORMAT || c == 0x2028 || c == 0x2029;
            if (control || invisible) {
                throw new AssertionError(String.format("raw U+%04X at %d in the output of a command:%n%s", c, i,
                        run.toString().replace("\u001B", "<ESC>")));
            }
            i += Character.charCount(c);
        }
    }
}
