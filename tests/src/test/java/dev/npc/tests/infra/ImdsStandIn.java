package dev.npc.tests.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The EC2 instance metadata service as IMDSv2 answers it, on loopback: a PUT to
 * /latest/api/token (with a TTL header) gives a token; every GET must carry it, or gets 401.
 */
final class ImdsStandIn implements AutoCloseable {
    static final String INSTANCE_ID = "i-0abc1234def567890";
    static final String REGION = "eu-west-1";

    private final HttpServer server;
    private final String token = "token-" + UUID.randomUUID();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> metadata;

    ImdsStandIn() throws IOException {
        this(REGION);
    }

    ImdsStandIn(String region) throws IOException {
        metadata = Map.of("/latest/meta-data/instance-id", INSTANCE_ID, "/latest/meta-data/placement/region", region);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** "PUT /latest/api/token", "GET /latest/meta-data/instance-id (token)" or "... (no token)". */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (method.equals("PUT") && path.equals("/latest/api/token")) {
                requests.add("PUT " + path);
                if (exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                    reply(exchange, 400, "missing TTL header");
                } else {
                    reply(exchange, 200, token);
                }
                return;
            }
            boolean withToken = token.equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"));
            requests.add(method + " " + path + (withToken ? " (token)" : " (no token)"));
            if (!withToken) {
                reply(exchange, 401, "");
            } else if (method.equals("GET") && metadata.containsKey(path)) {
                reply(exchange, 200, metadata.get(path));
            } else {
                reply(exchange, 404, "");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
