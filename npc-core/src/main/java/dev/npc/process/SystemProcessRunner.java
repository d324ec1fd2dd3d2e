package dev.npc.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs real processes. Output is capped so a runaway build log cannot exhaust memory. */
public final class SystemProcessRunner implements ProcessRunner {
    private static final int MAX_OUTPUT_BYTES = 4 << 20;

    @Override
    public ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(extraEnv);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process = builder.start();
        process.getOutputStream().close();
        CappedOutput output = new CappedOutput(process.getInputStream());
        Thread reader = new Thread(output, "output-" + command.get(0));
        reader.setDaemon(true);
        reader.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return new ProcessResult(finished ? process.exitValue() : -1, output.text(), !finished);
    }

    private static final class CappedOutput implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        CappedOutput(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    synchronized (buffer) {
                        if (buffer.size() + n > MAX_OUTPUT_BYTES) {
                            buffer.reset();
                            buffer.writeBytes("[earlier output dropped]\n".getBytes(StandardCharsets.UTF_8));
                        }
                        buffer.write(chunk, 0, n);
                    }
                }
            } catch (IOException e) {
                // The pipe closes when a timed-out process is killed; what was read so far is kept.
            }
        }

        String text() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
