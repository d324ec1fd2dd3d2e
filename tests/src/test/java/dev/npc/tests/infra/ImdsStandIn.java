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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The EC2 instance metadata service as IMDSv2 answers it, on loopback: a PUT to
 * /latest/api/token (with a TTL header) gives a token; every GET must carry it, or gets 401.
 * It serves the instance id, the region and the instance role's temporary credentials
 * (meta-data/iam/security-credentials/ lists the role; .../ROLE is the JSON document EC2 serves),
 * which both the bootstrap (curl) and npc-daemon (the AWS SDK, pointed here with
 * AWS_EC2_METADATA_SERVICE_ENDPOINT) read.
 */
final class ImdsStandIn implements AutoCloseable {
    static final String INSTANCE_ID = "i-0abc1234def567890";
    static final String REGION = "eu-west-1";
    static final String ROLE = "npc-web-1";
    static final String TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+stand+in+session+token=";

    private final HttpServer server;
    private final String token = "token-" + UUID.randomUUID();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> metadata = new ConcurrentHashMap<>();

    ImdsStandIn() throws IOException {
        this(REGION, "ASIAEXAMPLESTANDIN01", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }

    /** @param accessKey and secretKey the role's credentials, e.g. the ones S3Proxy checks signatures with */
    ImdsStandIn(String region, String accessKey, String secretKey) throws IOException {
        metadata.put("/latest/meta-data/instance-id", INSTANCE_ID);
        metadata.put("/latest/meta-data/placement/region", region);
        metadata.put("/latest/meta-data/iam/security-credentials/", ROLE);
        credentials(credentialsDocument(accessKey, secretKey));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The document EC2 serves at meta-data/iam/security-credentials/ROLE, laid out as EC2 lays it out. */
    static String credentialsDocument(String accessKey, String secretKey) {
        return """
                {
                  "Code" : "Success",
                  "LastUpdated" : "2026-01-01T00:00:00Z",
                  "Type" : "AWS-HMAC",
                  "AccessKeyId" : "%s",
                  "SecretAccessKey" : "%s",
                  "Token" : "%s",
                  "Expiration" : "2099-01-01T06:00:00Z"
                }""".formatted(accessKey, secretKey, TOKEN);
    }

    /** Replaces the role's credentials document (for hostile or broken answers). */
    void credentials(String document) {
        metadata.put("/latest/meta-data/iam/security-credentials/" + ROLE, document);
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
