package dev.npc.store;

import dev.npc.process.ProcessRunner;
import dev.npc.process.SystemProcessRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file lock holds across processes (a CLI and a daemon on one machine), not only across threads. */
class FileStoreProcessesTest {
    private static final int KEYS = 60;

    @TempDir
    Path temp;

    @Test
    void twoProcessesNeverBothWinAKey() throws Exception {
        Path dir = temp.resolve("store");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessRunner runner = new SystemProcessRunner();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<ProcessRunner.ProcessResult>> runs = new ArrayList<>();
            for (String writer : List.of("one", "two")) {
                List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                        FileStoreWriterMain.class.getName(), dir.toString(), Integer.toString(KEYS), writer);
                runs.add(pool.submit(() -> runner.run(command, Map.of(), null, Duration.ofMinutes(2))));
            }
            int wins = 0;
            for (Future<ProcessRunner.ProcessResult> run : runs) {
                ProcessRunner.ProcessResult result = run.get();
                assertTrue(result.ok(), result.tail(30));
                wins += Integer.parseInt(result.stdout().text().strip().replaceAll("(?s).*wins=(\\d+).*", "$1"));
            }
            assertEquals(KEYS, wins);
        } finally {
            pool.shutdownNow();
        }
        try (Store store = new FileStore(dir)) {
            for (int i = 0; i < KEYS; i++) {
                try (GetResult result = store.get("locks/" + i, null)) {
                    GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                    String body = new String(found.body().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(body, found.info().meta("writer"), "bytes and metadata from one writer");
                }
            }
        }
    }
}
