package dev.npc.cli.fleet.page;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves the fleet page of the last read at {@code /} with the JDK's HTTP server, rendered for
 * each request with the host its query selects ({@code ?host=NAME}, see {@link FleetPage}). The
 * read is replaced as a whole by the refresh loop, so a request never sees half of one. Answers
 * carry a Content-Security-Policy that lets nothing load and no script run, and are not cached.
 */
public final class PageServer implements AutoCloseable {
    /** The default port of {@code npc status --serve}. */
    public static final int DEFAULT_PORT = 8417;

    private final HttpServer server;
    private final AtomicReference<FleetPage.Snapshot> page;

    private PageServer(HttpServer server, FleetPage.Snapshot first) {
        this.server = server;
        this.page = new AtomicReference<>(first);
    }

    /**
     * @param address where to listen, as {@link #parse} made it
     * @param nonLoopback whether an address beyond loopback was asked for explicitly
     */
    public static PageServer start(InetSocketAddress address, boolean nonLoopback, FleetPage.Snapshot firstPage) throws IOException {
        if (!address.getAddress().isLoopbackAddress() && !nonLoopback) {
            throw new IllegalArgumentException("--serve " + address.getHostString() + ":" + address.getPort()
                    + " is not a loopback address: the page shows the whole fleet (hosts, versions, errors) to whoever"
                    + " can connect, without a login; serve on 127.0.0.1 behind your own proxy, or add --serve-beyond-loopback");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("--serve " + address.getHostString() + ":" + address.getPort()
                    + ": cannot listen there (" + e.getMessage() + "); give another port, e.g. --serve 127.0.0.1:8418");
        }
        PageServer served = new PageServer(server, firstPage);
        server.createContext("/", served::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "npc-status-serve");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return served;
    }

    /** {@code HOST:PORT}, {@code :PORT} or {@code HOST}; empty: 127.0.0.1 and the default port. */
    public static InetSocketAddress parse(String address) {
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        String text = address == null ? "" : address.strip();
        if (!text.isEmpty()) {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(']') < colon) {
                String portText = text.substring(colon + 1);
                try {
                    port = Integer.parseInt(portText);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("--serve " + text + ": '" + portText + "' is not a port (0-65535);"
                            + " give HOST:PORT or :PORT, e.g. --serve 127.0.0.1:" + DEFAULT_PORT);
                }
                if (colon > 0) {
                    host = text.substring(0, colon);
                }
            } else {
                host = text;
            }
        }
        host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--serve " + text + ": unknown host '" + host + "'; give an address such as"
                    + " 127.0.0.1:" + DEFAULT_PORT);
        }
    }

    /** The address the server listens on (its port, when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public void update(FleetPage.Snapshot read) {
        page.set(read);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            var headers = exchange.getResponseHeaders();
            headers.set("Content-Security-Policy", FleetPage.contentSecurityPolicy() + "; frame-ancestors 'none'");
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("Referrer-Policy", "no-referrer");
            headers.set("Cache-Control", "no-store");
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                headers.set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!path.equals("/") && !path.equals("/index.html")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            headers.set("Content-Type", "text/html; charset=utf-8");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            FleetPage.Snapshot read = page.get();
            byte[] body = FleetPage.render(read, selected(read, exchange.getRequestURI().getRawQuery()))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * The host {@code ?host=NAME} names, if it is on the page; any other query (whoever connects
     * writes it) selects nothing, so the page is served as for {@code /}, not refused: a host that
     * left the fleet since its history was opened leaves a page that still reloads.
     */
    private static String selected(FleetPage.Snapshot read, String rawQuery) {
        return rawQuery != null && rawQuery.startsWith(FleetPage.SELECT) ? read.hostNamed(rawQuery.substring(FleetPage.SELECT.length())) : null;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
