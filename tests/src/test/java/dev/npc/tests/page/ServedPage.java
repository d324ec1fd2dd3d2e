package dev.npc.tests.page;

import dev.npc.cli.NpcCli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code npc status --serve 127.0.0.1:0} run in a thread of the test's JVM, as a person runs it;
 * {@link #stop} ends it as Ctrl-C does (the serving thread is interrupted).
 */
final class ServedPage {
    private static final Pattern SERVED = Pattern.compile("serving the fleet page on (http://127\\.0\\.0\\.1:\\d+/)");

    final URI url;
    private final Thread serving;
    private final StringWriter out;
    private final StringWriter err;
    private final AtomicInteger exit;

    private ServedPage(URI url, Thread serving, StringWriter out, StringWriter err, AtomicInteger exit) {
        this.url = url;
        this.serving = serving;
        this.out = out;
        this.err = err;
        this.exit = exit;
    }

    /** Serves the page of the store at {@code storeUrl}, re-read every {@code every}; returns once it says where. */
    static ServedPage start(String storeUrl, String every) throws InterruptedException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread serving = new Thread(() -> exit.set(NpcCli.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "status", "--serve", "127.0.0.1:0", "--every", every, "--store", storeUrl)), "test-npc-status-serve");
        serving.start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline) && serving.isAlive()) {
            Matcher matcher = SERVED.matcher(out.toString());
            if (matcher.find()) {
                return new ServedPage(URI.create(matcher.group(1)), serving, out, err, exit);
            }
            Thread.sleep(50);
        }
        serving.interrupt();
        throw new AssertionError("npc status --serve did not say where it serves:\n" + out + "\n" + err);
    }

    /** Interrupts the serving thread and waits (a bounded time) for it to end. */
    void stop() throws InterruptedException {
        serving.interrupt();
        serving.join(Duration.ofSeconds(20).toMillis());
    }

    boolean running() {
        return serving.isAlive();
    }

    int exitCode() {
        return exit.get();
    }

    String out() {
        return out.toString();
    }

    @Override
    public String toString() {
        return out + "\n" + err;
    }
}
