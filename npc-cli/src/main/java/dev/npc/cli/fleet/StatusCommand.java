package dev.npc.cli.fleet;

import dev.npc.files.AtomicFiles;
import dev.npc.cli.fleet.page.FleetPage;
import dev.npc.cli.fleet.page.PageServer;
import dev.npc.cli.fleet.page.PageSource;
import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Terminal;
import dev.npc.fleet.FleetReader;
import dev.npc.fleet.StatusClassifier;
import dev.npc.json.Json;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show every host: what it follows, what it runs, and whether it failed.",
                "",
                "One row per host: the remote it follows, that remote's version, the version the host runs, its"
                        + " status, when it last reported, how long ago the version was published, and why it"
                        + " failed. Problems first.",
                "",
                "Statuses: failed, rolled back, stale, unknown, in progress (phase), waiting, reboot required,"
                        + " pending, paused, up to date.",
                "",
                "The fleet page (--html, --serve, --publish) shows the same in one self-contained HTML file (no"
                        + " script, nothing loaded from elsewhere), plus every remote's version, source revision and"
                        + " signature, the last rollout's waves, and each host's history when you select it. History"
                        + " is read for the first " + PageSource.HISTORY_HOSTS + " hosts, problems first, newest "
                        + PageSource.HISTORY_RECORDS + " records each. --serve listens on 127.0.0.1:"
                        + PageServer.DEFAULT_PORT + " unless given ADDR (HOST:PORT or :PORT) and re-reads the store"
                        + " every --every; it refuses an address beyond loopback unless --serve-beyond-loopback, as"
                        + " the page shows the whole fleet to whoever connects. Ctrl-C stops it. --publish writes the"
                        + " page to <prefix>/" + Layout.STATUS_PAGE + " for an S3 website or CloudFront.",
                "",
                "Exits 0 whatever the fleet's state: use npc wait as a gate."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc status --store s3://my-fleet/npc",
                "  npc status --remote prod --json | jq '.hosts[] | select(.problem)'",
                "  npc status --watch",
                "  npc status --html fleet.html && xdg-open fleet.html",
                "  npc status --serve            # then open http://127.0.0.1:" + PageServer.DEFAULT_PORT + "/",
                "  npc status --publish          # <prefix>/" + Layout.STATUS_PAGE})
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;
    @Mixin
    FleetMixin fleetOptions;

    @Option(names = "--remote", paramLabel = "NAME", description = "Only hosts following this remote.")
    String remote;

    @Option(names = "--json", description = "Print the fleet as JSON (schema 1, see README).")
    boolean json;

    @Option(names = "--watch", description = "Redraw every --every until interrupted.")
    boolean watch;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the fleet page to FILE (replaced whole).")
    Path html;

    @Option(names = "--serve", paramLabel = "ADDR", arity = "0..1", fallbackValue = "",
            description = "Serve the fleet page on 127.0.0.1:" + PageServer.DEFAULT_PORT + " (or ADDR: HOST:PORT, :PORT),"
                    + " re-read every --every, until Ctrl-C.")
    String serve;

    @Option(names = "--serve-beyond-loopback",
            description = "Let --serve listen on an address other hosts reach (the page has no login).")
    boolean serveBeyondLoopback;

    @Option(names = "--publish", description = "Write the fleet page to <prefix>/" + Layout.STATUS_PAGE + " in the store.")
    boolean publish;

    @Override
    public Integer call() throws Exception {
        if (remote != null) {
            dev.npc.remote.RemoteName.check(remote);
        }
        boolean page = html != null || serve != null || publish;
        if (page && (json || watch)) {
            throw new IllegalArgumentException("--html, --serve and --publish write the page, --json and --watch print"
                    + " the table: give one kind");
        }
        if (serveBeyondLoopback && serve == null) {
            throw new IllegalArgumentException("--serve-beyond-loopback is for --serve; add --serve ADDR");
        }
        InetSocketAddress address = serve == null ? null : PageServer.parse(serve);
        Duration interval = fleetOptions.every();
        try (Store store = storeOptions.open()) {
            FleetReader reader = fleetOptions.reader(store);
            if (page) {
                return page(store, reader, address, interval);
            }
            boolean colour = !json && Terminal.interactive();
            do {
                Instant now = Instant.now();
                FleetReader.Fleet fleet = reader.read(new StatusClassifier(now, fleetOptions.staleMultiple), filter());
                fleetOptions.saveCache(console);
                if (watch && colour) {
                    console.print("\u001B[H\u001B[2J");
                }
                if (json) {
                    console.print(Json.writeString(StatusView.json(fleet, store.url(), now)));
                } else if (fleet.hosts().isEmpty()) {
                    console.println("no hosts" + (remote == null ? "" : " follow " + remote) + " in " + store.url()
                            + "; add one with: npc hosts set HOST --remote NAME");
                } else {
                    console.print(StatusView.table(fleet, now, colour));
                }
                if (watch) {
                    Thread.sleep(interval.toMillis());
                }
            } while (watch);
            return 0;
        }
    }

    private Predicate<String> filter() {
        return name -> remote == null || remote.equals(name);
    }

    private int page(Store store, FleetReader reader, InetSocketAddress address, Duration interval) throws Exception {
        PageSource source = new PageSource(store, reader);
        FleetPage.Snapshot snapshot = source.read(Instant.now(), fleetOptions.staleMultiple, filter(),
                address == null ? null : interval);
        // A file and the bucket keep the page: it must not reload itself (the served page's refresh and links are the server's).
        String rendered = FleetPage.render(snapshot.written());
        String hosts = snapshot.fleet().hosts().size() + (snapshot.fleet().hosts().size() == 1 ? " host" : " hosts");
        if (html != null) {
            writeWhole(html, rendered);
            console.println("wrote the fleet page (" + hosts + ") to " + html.toAbsolutePath());
        }
        if (publish) {
            store.put(Layout.STATUS_PAGE, rendered.getBytes(StandardCharsets.UTF_8), Map.of(), "text/html; charset=utf-8");
            console.println("published the fleet page (" + hosts + ") to " + storeKeyUrl(store.url(), Layout.STATUS_PAGE));
        }
        if (address != null) {
            serve(source, address, interval, snapshot);
        }
        return 0;
    }

    private void serve(PageSource source, InetSocketAddress address, Duration interval, FleetPage.Snapshot first) {
        // Ctrl-C runs the shutdown hook, which stops the loop and waits until the server is closed
        // and that is said, so the JVM exits at once and cleanly.
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        Thread serving = Thread.currentThread();
        Thread stop = new Thread(() -> {
            serving.interrupt();
            try {
                closed.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "npc-status-serve-stop");
        try (PageServer server = PageServer.start(address, serveBeyondLoopback, first)) {
            InetSocketAddress bound = server.address();
            String host = bound.getAddress().getHostAddress();
            console.println("serving the fleet page on http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + bound.getPort() + "/ (re-read every " + dev.npc.time.Durations.format(interval) + "; Ctrl-C stops)");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval.toMillis());
                    try {
                        server.update(source.read(Instant.now(), fleetOptions.staleMultiple, filter(), interval));
                    } catch (IOException | RuntimeException e) {
                        if (Thread.currentThread().isInterrupted()) {
                            break;
                        }
                        console.err().println("npc: cannot re-read the store: " + dev.npc.text.SafeText.line(e.getMessage())
                                + "; still serving the page read before");
                        console.err().flush();
                    }
                }
            } catch (InterruptedException e) {
                // Ctrl-C (the shutdown hook) or the caller: stop serving.
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--serve " + serve + ": cannot listen (" + e.getMessage() + ")", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs already: it waits for the line below.
            }
        }
        console.println("stopped serving the fleet page");
        console.out().flush();
        closed.countDown();
    }

    private static String storeKeyUrl(String storeUrl, String key) {
        return storeUrl.endsWith("/") ? storeUrl + key : storeUrl + "/" + key;
    }

    /** The page appears whole or not at all: a browser reloading it never reads half a file. */
    private static void writeWhole(Path file, String content) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--html " + file + ": the directory " + dir + " does not exist; create it"
                    + " or give a file in an existing directory");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("--html " + file + " is a directory; give a file name, e.g. "
                    + target.resolve("fleet.html"));
        }
        AtomicFiles.write(target, content);
    }
}
