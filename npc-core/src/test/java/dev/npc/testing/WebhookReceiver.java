package dev.npc.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.npc.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback: answers {@code failures} requests with {@code failStatus}, then
 * 200, and keeps the JSON of every request it accepted.
 */
public final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<JsonNode> accepted = new ArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int failures;
    private volatile int failStatus = 500;

    private WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks/secret-token", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            int n = requests.incrementAndGet();
            int status = n <= failures ? failStatus : 200;
            if (status == 200) {
                if (!exchange.getRequestHeaders().getFirst("Content-Type").startsWith("application/json")) {
                    status = 415;
                } else {
                    synchronized (accepted) {
                        accepted.add(Json.mapper().readTree(body));
                    }
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    public static WebhookReceiver start() throws IOException {
        return new WebhookReceiver();
    }

    /** The next {@code count} requests get {@code status}. */
    public WebhookReceiver failing(int count, int status) {
        this.failures = requests.get() + count;
        this.failStatus = status;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/secret-token";
    }

    public List<JsonNode> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    public List<String> acceptedIds() {
        return accepted().stream().map(n -> n.get("id").asText()).toList();
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
