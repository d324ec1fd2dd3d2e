package dev.npc.npcnix;

import dev.npc.npcnix.NpcnixImporter.Outcome;
import dev.npc.npcnix.NpcnixImporter.Result;
import dev.npc.pack.UnpackLimits;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.Signing;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.TestArchives;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The importer's bounds and checks, on file stores (the CLI and S3 journeys are in the tests module). */
class NpcnixImporterTest {
    private static final NpcnixImporter.Options OPTIONS = new NpcnixImporter.Options(false, false, Signing.NONE);

    @TempDir
    Path tmp;
    Store from;
    Store to;

    @BeforeEach
    void setUp() {
        from = Stores.open(tmp.resolve("npcnix").toUri().toString(), StoreOptions.DEFAULT);
        to = Stores.open(tmp.resolve("npc").toUri().toString(), StoreOptions.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        from.close();
        to.close();
    }

    private Result importOnly(String name, byte[] archive, UnpackLimits limits, Path workDir) throws Exception {
        from.put(name + NpcnixImporter.SUFFIX, archive, Map.of());
        NpcnixImporter importer = new NpcnixImporter(from, to, new SystemProcessRunner(), Clock.systemUTC(), workDir,
                limits);
        List<NpcnixImporter.Found> found = importer.find();
        assertEquals(List.of(name), found.stream().map(NpcnixImporter.Found::name).toList());
        return importer.importOne(found.get(0), name, OPTIONS);
    }

    private static TestArchives flake() {
        return TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).file("flake.lock", TestFlakes.FLAKE_LOCK);
    }

    @Test
    void anObjectOverTheLimitIsRefusedUnread() throws Exception {
        byte[] archive = flake().file("big", "x".repeat(5000)).build();
        Result result = importOnly("big", archive, new UnpackLimits(archive.length - 1, 100), tmp);
        assertEquals(Outcome.REFUSED, result.outcome());
        assertEquals("it is " + archive.length + " bytes, over the import limit of " + (archive.length - 1)
                + " bytes; nothing was read", result.reason());
        assertEquals(0, result.npcnixBytes());
        assertTrue(to.list("").isEmpty());
    }

    @Test
    void anArchiveThatExpandsOverTheLimitIsRefused() throws Exception {
        byte[] archive = flake().file("zeros", new byte[1 << 20], 0644).build();
        Result result = importOnly("zeros", archive, new UnpackLimits(64 << 10, 100), tmp);
        assertEquals(Outcome.REFUSED, result.outcome());
        assertTrue(result.reason().startsWith("it is not an archive npc unpacks: the archive expands to more than"),
                result.reason());
        assertTrue(to.list("").isEmpty());
    }

    @Test
    void aLockPinningAPathOnTheAdminsMachineIsRefusedAsPushRefusesIt() throws Exception {
        byte[] archive = TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX)
                .file("flake.lock", TestFlakes.lockWithPathInput("/home/admin/secrets")).build();
        Result result = importOnly("local", archive, UnpackLimits.DEFAULT, tmp);
        assertEquals(Outcome.REFUSED, result.outcome());
        assertTrue(result.reason().startsWith("npc cannot pack what it holds: flake.lock input 'local' is the local"
                + " path /home/admin/secrets"), result.reason());
    }

    @Test
    void theTreeIsPackedAsFilesEvenInsideAGitWorkTree() throws Exception {
        assumeTrue(TestCommands.available("git"), "git is not installed");
        Path repo = tmp.resolve("repo");
        TestFlakes.committedGitFlake(repo);
        Path work = Files.createDirectories(repo.resolve("work"));
        Result result = importOnly("dev", flake().file("hosts/web-1.nix", "{ }\n").build(), UnpackLimits.DEFAULT, work);
        assertEquals(Outcome.PUBLISHED, result.outcome(), result::toString);
        assertEquals(3, result.pack().files(), "git's list of the enclosing repository played no part");
        assertTrue(to.head(Layout.remote("dev")).isPresent());
        try (var left = Files.list(work)) {
            assertEquals(0, left.count(), "nothing left in the work directory");
        }
    }

    @Test
    void aNameNpcCannotUseIsRefusedWithTheWayOut() throws Exception {
        Result result = importOnly("a..b", flake().build(), UnpackLimits.DEFAULT, tmp);
        assertEquals(Outcome.REFUSED, result.outcome());
        assertTrue(result.reason().endsWith("; import it under another name: --remote a..b=NEW-NAME"), result.reason());
    }
}
