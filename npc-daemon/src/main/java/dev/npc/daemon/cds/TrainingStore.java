package dev.npc.daemon.cds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The store bin/cds-archive trains npc-daemon's class data sharing archive against, at package
 * time and on loopback only: the archive should hold the classes of what a host does almost
 * always, an unchanged poll (a signed HEAD per document, now and then a signed PUT of its state),
 * not those of the S3 client, which an unchanged host never builds; classes in the archive that
 * a process does not use still cost it resident memory (measured: 70 MiB against 82 MiB for the
 * polling daemon, see bench/README.md).
 *
 * <p>It plays a bucket with one host whose desired.json names remote {@code training}, a remote
 * without npc's metadata (so the daemon reads it, refuses it, and does nothing to the machine),
 * and accepts any PUT (answering the MD5 of what it received as the ETag, as S3 does). It checks
 * no signature and keeps nothing. Not part of npc's behaviour: a build tool shipped in the jar
 * only because the archive must be written by the same jar at the path it runs from.
 *
 * <p>Usage: {@code java -cp npc-daemon.jar dev.npc.daemon.cds.TrainingStore}; prints the port it
 * listens on, then serves until its standard input closes.
 */
public final class TrainingStore {
    private static final byte[] DESIRED = "{\"remote\": \"training\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] REMOTE = "not an archive".getBytes(StandardCharsets.UTF_8);

    private TrainingStore() {
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", TrainingStore::answer);
        server.start();
        System.out.println(server.getAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // Serves until whoever started it closes the pipe (or exits).
        }
        server.stop(0);
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            byte[] received = exchange.getRequestBody().readAllBytes();
            if (method.equals("PUT")) {
                exchange.getResponseHeaders().set("ETag", "\"" + md5(received) + "\"");
                exchange.sendResponseHeaders(200, -1);
            } else if (path.endsWith("/desired.json")) {
                send(exchange, method, "\"" + md5(DESIRED) + "\"", DESIRED);
            } else if (path.endsWith("/remotes/training.npc")) {
                send(exchange, method, "\"" + md5(REMOTE) + "\"", REMOTE);
            } else {
                byte[] error = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                        + "<Message>The specified key does not exist.</Message></Error>").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/xml");
                exchange.sendResponseHeaders(404, method.equals("HEAD") ? -1 : error.length);
                if (!method.equals("HEAD")) {
                    exchange.getResponseBody().write(error);
                }
            }
        }
    }

    private static void send(HttpExchange exchange, String method, String etag, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("ETag", etag);
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        if (method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(200, -1);
        } else {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    private static String md5(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
    }
}
