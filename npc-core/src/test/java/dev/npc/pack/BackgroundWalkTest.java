package dev.npc.pack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BackgroundWalkTest {
    @TempDir
    Path tmp;

    @Test
    void entriesArriveInOrderAndTheEndIsReported() throws Exception {
        try (BackgroundWalk walk = new BackgroundWalk(sink -> {
            for (int i = 0; i < 1500; i++) {
                sink.accept(PackEntry.directory("d" + i));
            }
        })) {
            for (int i = 0; i < 1500; i++) {
                assertEquals("d" + i, walk.next().name());
            }
            assertNull(walk.next());
            assertNull(walk.next());
        }
    }

    @Test
    void aFailureInTheWalkReachesTheConsumerAfterTheEntriesBeforeIt() throws Exception {
        try (BackgroundWalk walk = new BackgroundWalk(sink -> {
            sink.accept(PackEntry.directory("a"));
            throw new PackException("symlink b points to /etc, which is absolute");
        })) {
            assertEquals("a", walk.next().name());
            PackException e = assertThrows(PackException.class, walk::next);
            assertEquals("symlink b points to /etc, which is absolute", e.getMessage());
        }
    }

    @Test
    void closingEarlyReleasesTheDirectoriesOfEntriesNeverTaken() throws Exception {
        DirectoryStream<Path> stream = Files.newDirectoryStream(Files.createDirectories(tmp.resolve("d")));
        assumeTrue(stream instanceof SecureDirectoryStream, "no SecureDirectoryStream on this platform");
        OpenDirectory dir = new OpenDirectory((SecureDirectoryStream<Path>) stream);
        PackEntry file = new PackEntry("d/f", tmp.resolve("d/f"), PackEntry.Kind.FILE, 1, false, null, null, null);

        BackgroundWalk walk = new BackgroundWalk(sink -> {
            try {
                for (int i = 0; i < 5000; i++) {
                    sink.accept(file.readThrough(dir));
                }
            } finally {
                dir.release(); // the walk's own reference, as DirectoryWalk does
            }
        });
        PackEntry first = walk.next();
        assertNotNull(first);
        first.release();
        walk.close();

        assertThrows(ClosedDirectoryStreamException.class, () -> dir.attributes(Path.of("x")));
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("npc-pack-walk")
                && t.isAlive()), "the walk thread has ended");
    }
}
