package dev.npc.process;

import dev.npc.process.ProcessRunner.Output;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SystemProcessRunnerTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @Test
    void stdoutAndStderrAreKeptApart() throws Exception {
        ProcessResult result = new SystemProcessRunner().run(
                List.of("/bin/sh", "-c", "echo answer; echo 'warning: noise' >&2; echo more >&2; exit 3"),
                Map.of(), null, TIMEOUT);

        assertEquals(3, result.exitCode());
        assertEquals("answer\n", result.stdout().text());
        assertEquals("warning: noise\nmore\n", result.stderr().text());
        assertFalse(result.stdout().truncated() || result.stderr().truncated());
        assertTrue(result.printed("noise") && result.printed("answer"));
    }

    @Test
    void eachStreamIsCappedOnItsOwnKeepingItsEnd() throws Exception {
        ProcessResult result = new SystemProcessRunner(1024).run(List.of("/bin/sh", "-c",
                        "i=0; while [ $i -lt 500 ]; do echo \"log line $i\" >&2; i=$((i + 1)); done; echo done >&2; echo path"),
                Map.of(), null, TIMEOUT);

        assertTrue(result.ok());
        assertEquals(new Output("path\n", false), result.stdout(), "a long stderr does not touch stdout");
        assertTrue(result.stderr().truncated());
        assertTrue(result.stderr().text().length() <= 1024, result.stderr().text());
        assertTrue(result.stderr().text().startsWith("log line "), "starts at a whole line: " + result.stderr().text());
        assertTrue(result.stderr().text().endsWith("log line 499\ndone\n"), result.stderr().text());
    }

    @Test
    void aTailShowsTheStreamThatPrintedAndLabelsBothWhenBothDid() {
        assertEquals("b\nc", ProcessResult.of(1, "a\nb\nc\n", "").tail(2));
        ProcessResult onlyStderr = new ProcessResult(1, Output.EMPTY, Output.of("x\ny\n"), false);
        assertEquals("x\ny", onlyStderr.tail(30));
        ProcessResult both = new ProcessResult(1, Output.of("1\n2\n3\n4\n"), Output.of("e1\ne2\n"), false);
        assertEquals("stdout:\n3\n4\nstderr:\ne1\ne2", both.tail(4));
        assertEquals("stdout:\n1\n2\n3\n4\nstderr:\ne1\ne2", both.tail(30));
    }

    @Test
    void aCommandStartedWritingToAFileLeavesItThereAndTheResultHoldsItsEnd(@TempDir Path dir) throws Exception {
        Path output = Files.writeString(dir.resolve("switch.log"), "what an earlier switch printed\n");
        ProcessResult result = new SystemProcessRunner(1024).startWritingTo(List.of("/bin/sh", "-c",
                        "[ -f /dev/stdout ] && echo 'stdout is a file'; read line || echo 'stdin is empty';"
                                + " i=0; while [ $i -lt 200 ]; do echo \"line $i\"; i=$((i + 1)); done; echo last >&2; exit 4"),
                Map.of(), output).await(TIMEOUT);

        assertEquals(4, result.exitCode());
        String written = Files.readString(output);
        assertTrue(written.startsWith("stdout is a file\nstdin is empty\nline 0\n"), written);
        assertTrue(written.endsWith("line 199\nlast\n"), "both streams, in order: " + written);
        assertTrue(result.stdout().truncated());
        assertTrue(result.stdout().text().length() <= 1024, result.stdout().text());
        assertTrue(result.stdout().text().startsWith("line "), "starts at a whole line: " + result.stdout().text());
        assertTrue(result.stdout().text().endsWith("line 199\nlast\n"), result.stdout().text());
        assertEquals(Output.EMPTY, result.stderr());
    }

    @Test
    void aTimedOutCommandKeepsWhatItPrinted() throws Exception {
        ProcessResult result = new SystemProcessRunner().run(
                List.of("/bin/sh", "-c", "echo started >&2; exec sleep 60"), Map.of(), null, Duration.ofMillis(500));

        assertTrue(result.timedOut());
        assertEquals(-1, result.exitCode());
        assertEquals("started\n", result.stderr().text());
    }
}
