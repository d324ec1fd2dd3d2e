package dev.npc.process;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs real processes, reading stdout and stderr apart (each on its own thread, so neither pipe
 * can fill up and stall the child). Each stream is capped so a runaway build log cannot exhaust
 * memory: past the cap the end of the stream is kept and the result says it was truncated.
 */
public final class SystemProcessRunner implements ProcessRunner {
    static final int MAX_STREAM_BYTES = 4 << 20;

    private final int maxStreamBytes;

    public SystemProcessRunner() {
        this(MAX_STREAM_BYTES);
    }

    /** With a smaller cap, so tests can print past it. */
    SystemProcessRunner(int maxStreamBytes) {
        this.maxStreamBytes = maxStreamBytes;
    }

    @Override
    public ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout)
            throws IOException, InterruptedException {
        return run(command, extraEnv, workDir, timeout, new byte[0]);
    }

    @Override
    public ProcessResult run(List<String> command, Map<String, String> extraEnv, Path workDir, Duration timeout,
                             byte[] stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(extraEnv);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        Process process = builder.start();
        String name = Path.of(command.get(0)).getFileName().toString();
        feed(process, stdin, "stdin-" + name);
        StreamTail stdout = StreamTail.read(process.getInputStream(), maxStreamBytes, "stdout-" + name);
        StreamTail stderr = StreamTail.read(process.getErrorStream(), maxStreamBytes, "stderr-" + name);
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return new ProcessResult(finished ? process.exitValue() : -1, stdout.finish(), stderr.finish(), !finished);
    }

    @Override
    public Started startWritingTo(List<String> command, Map<String, String> extraEnv, Path output)
            throws IOException {
        // A new file every time: a command an earlier npc left running keeps writing to its own
        // (now unlinked) file, not into the middle of this one.
        Files.deleteIfExists(output);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(extraEnv);
        Process process = builder.start();
        return Started.of(process.onExit().thenApply(ended -> {
            try {
                return new ProcessResult(ended.exitValue(), tailOf(output), Output.EMPTY, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** The last {@link #maxStreamBytes} bytes of {@code file}, read without loading the rest. */
    private Output tailOf(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            long from = Math.max(0, channel.size() - maxStreamBytes);
            ByteBuffer kept = ByteBuffer.allocate((int) (channel.size() - from));
            channel.position(from);
            while (kept.hasRemaining() && channel.read(kept) > 0) {
                // until the buffer is full or the file ends
            }
            return StreamTail.output(new String(kept.array(), 0, kept.position(), StandardCharsets.UTF_8), from > 0);
        } catch (NoSuchFileException e) {
            return Output.EMPTY;
        }
    }

    /**
     * Writes {@code input} on a thread of its own and closes the pipe: a command that does not read
     * it (or exits first) must not stall npc on a full pipe.
     */
    private static void feed(Process process, byte[] input, String name) throws IOException {
        if (input.length == 0) {
            process.getOutputStream().close();
            return;
        }
        Thread writer = new Thread(() -> {
            try (var in = process.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // The command closed its input or ended: what it read is what it wanted.
            }
        }, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** One stream, read to its end on a thread of its own, keeping at most the last {@code max} bytes. */
    private static final class StreamTail implements Runnable {
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;
        private boolean truncated;

        private StreamTail(InputStream in, int max, String name) {
            this.in = in;
            this.max = max;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        static StreamTail read(InputStream in, int max, String name) {
            StreamTail tail = new StreamTail(in, max, name);
            tail.thread.start();
            return tail;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    append(chunk, n);
                }
            } catch (IOException e) {
                // The pipe closes when a timed-out process is killed; what was read so far is kept.
            }
        }

        private synchronized void append(byte[] chunk, int n) {
            int from = Math.max(0, n - max);
            int length = n - from;
            if (buffer.size() + length > max) {
                // Keep the newer bytes: the end of a log says what went wrong.
                byte[] kept = buffer.toByteArray();
                int keep = Math.min(kept.length, Math.max(0, max / 2 - length));
                buffer.reset();
                buffer.write(kept, kept.length - keep, keep);
                truncated = true;
            }
            truncated |= from > 0;
            buffer.write(chunk, from, length);
        }

        /** Waits a little for the reader (a killed child's grandchildren may hold the pipe open). */
        Output finish() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            synchronized (this) {
                return output(buffer.toString(StandardCharsets.UTF_8), truncated);
            }
        }

        /** The end of a stream as kept; when its start was dropped, from the first whole line on. */
        static Output output(String kept, boolean truncated) {
            if (!truncated) {
                return new Output(kept, false);
            }
            // The cut falls anywhere in a line (or a character): start at the next whole line.
            int nl = kept.indexOf('\n');
            return new Output(nl < 0 ? kept : kept.substring(nl + 1), true);
        }
    }
}
