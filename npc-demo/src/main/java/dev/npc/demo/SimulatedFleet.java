package dev.npc.demo;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.config.Settings;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.report.EventLog;
import dev.npc.store.Stores;
import dev.npc.time.Sleeper;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one real npc-daemon per simulated host, each in its own thread, against the demo's S3
 * server. Only the system commands are simulated ({@link SimulatedHost}); polling, fetching,
 * verifying, reporting and rolling back are the daemon's own code.
 */
final class SimulatedFleet implements AutoCloseable {
    private final List<Daemon> daemons = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    void start(String host, Path root, String storeUrl, LocalS3 s3, PrintWriter out) throws Exception {
        SimulatedHost system = new SimulatedHost(host, root, out);
        Settings settings = Settings.parse(Map.of(), host, "--state-dir", system.stateDir().toString(),
                "--store", storeUrl, "--endpoint-url", s3.endpointUrl(), "--region", LocalS3.REGION, "--host", host,
                "--interval", "1s", "--health-timeout", "3s", "--retries", "0",
                "--nix-bin", system.bin().toString(), "--systemctl", system.systemctl().toString(),
                "--current-system", system.currentSystem().toString(),
                "--system-profile", system.systemProfile().toString());
        PrintStream log = new PrintStream(new LinePrefixer("    " + host + " ", root.toString(), out), true, StandardCharsets.UTF_8);
        Seams seams = new Seams(system, Clock.systemUTC(), Sleeper.SYSTEM, new java.util.Random(), Map.of(), log, log,
                s -> Stores.open(s.store(), s3.options()), hook -> { }, host);
        Daemon daemon = new Daemon(settings, seams, new EventLog(log, log, false));
        Thread thread = new Thread(() -> {
            try {
                daemon.follow(FollowLoop.Mode.FOREVER);
            } catch (Exception e) {
                log.println("npc-daemon stopped: " + e.getMessage());
            }
        }, "npc-daemon-" + host);
        thread.setDaemon(true);
        thread.start();
        daemons.add(daemon);
        threads.add(thread);
    }

    /** Asks every daemon to stop at its next safe point and waits for it, as SIGTERM would. */
    @Override
    public void close() {
        daemons.forEach(daemon -> daemon.stopSignal().request());
        for (int i = 0; i < threads.size(); i++) {
            try {
                threads.get(i).join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            daemons.get(i).close();
        }
    }

    /** Indents a daemon's log lines under the demo's narration, naming the host. */
    private static final class LinePrefixer extends OutputStream {
        private final String prefix;
        private final String root;
        private final PrintWriter out;
        private final StringBuilder line = new StringBuilder();

        /** @param root the simulated host's directory, removed so paths read as on a real host */
        LinePrefixer(String prefix, String root, PrintWriter out) {
            this.prefix = prefix;
            this.root = root;
            this.out = out;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                synchronized (out) {
                    out.println(prefix + line.toString().replace(root, ""));
                    out.flush();
                }
                line.setLength(0);
            } else {
                line.append((char) b);
            }
        }
    }
}
