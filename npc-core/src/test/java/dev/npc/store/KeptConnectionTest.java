package dev.npc.store;

import dev.npc.testing.TestClock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HEAD connection kept between polls, against a scripted server on loopback (and one over TLS):
 * it is reused, given up when closed or idle, and every malformed answer ends it with an
 * IOException, never a hang or a half-read connection used again.
 */
class KeptConnectionTest {
    private static final String OK = "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 120\r\nx-amz-meta-a: 1\r\n\r\n";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T10:00:00Z"));

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    @Test
    void headsShareOneConnectionAndReadEveryHeader() throws Exception {
        Server server = server(request -> OK);
        KeptConnection kept = kept(server.uri("http"));
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            KeptConnection.Answer answer = kept.head("/bucket/k%20" + i, "localhost:" + server.port(),
                    Map.of("Authorization", "AWS4-HMAC-SHA256 x", "x-amz-date", "20261203T100000Z"));
            assertEquals(200, answer.status());
            assertEquals("\"v1\"", answer.header("ETag"));
            assertEquals("1", answer.header("X-Amz-Meta-A"));
        }
        assertEquals(1, kept.opened());
        assertEquals(1, server.accepted());
        String first = server.requests().get(0);
        assertTrue(first.startsWith("HEAD /bucket/k%200 HTTP/1.1\r\nHost: localhost:" + server.port() + "\r\n"), first);
        assertTrue(first.contains("\r\nAuthorization: AWS4-HMAC-SHA256 x\r\n") && first.endsWith("\r\n\r\n"), first);
    }

    @Test
    void anAnswerThatClosesTheConnectionIsFollowedByANewOne() throws Exception {
        Server server = server(request -> "HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        KeptConnection kept = kept(server.uri("http"));
        assertEquals(404, kept.head("/b/k", "h", Map.of()).status());
        assertEquals(404, kept.head("/b/k", "h", Map.of()).status());
        assertEquals(2, kept.opened());
        assertEquals(2, server.accepted());
    }

    @Test
    void aConnectionTheServerDroppedIsRetriedOnceOnANewOne() throws Exception {
        Server server = server(request -> OK);
        server.closeAfterEachAnswer = true; // without saying so, as a server's idle timeout does
        KeptConnection kept = kept(server.uri("http"));
        assertEquals(200, kept.head("/b/k", "h", Map.of()).status());
        assertEquals(200, kept.head("/b/k", "h", Map.of()).status());
        assertEquals(2, kept.opened());
        assertEquals(2, server.requests().size(), "each request answered once: " + server.requests());
    }

    @Test
    void aConnectionIdleForTooLongIsNotUsedAgain() throws Exception {
        Server server = server(request -> OK);
        KeptConnection kept = kept(server.uri("http"));
        kept.head("/b/k", "h", Map.of());
        clock.advance(KeptConnection.IDLE);
        kept.head("/b/k", "h", Map.of());
        assertEquals(2, kept.opened());
        assertEquals(2, server.accepted());
        assertEquals(2, server.requests().size(), "nothing was sent on the idle connection first");
    }

    @Test
    void aNewConnectionThatFailsIsNotRetried() throws Exception {
        Server server = server(request -> null); // closes without an answer
        KeptConnection kept = kept(server.uri("http"));
        assertThrows(EOFException.class, () -> kept.head("/b/k", "h", Map.of()));
        assertEquals(1, server.accepted());
    }

    @Test
    void malformedOrOversizedAnswersEndTheConnection() throws Exception {
        String longHead = "HTTP/1.1 200 OK\r\nx-pad: " + "a".repeat(KeptConnection.MAX_HEAD_BYTES) + "\r\n\r\n";
        StringBuilder manyHeaders = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i <= KeptConnection.MAX_HEADERS; i++) {
            manyHeaders.append("x-h").append(i).append(": v\r\n");
        }
        List<String> answers = List.of(
                longHead,
                manyHeaders.append("\r\n").toString(),
                "HTTP/1.1 200 OK\r\nETag: \"v1\u0000\"\r\n\r\n",
                "HTTP/1.1 200 OK\r\nETag: \"v1\"\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: line\r\n\r\n",
                "HTTP/1.1 200 OK\r\nbad name: v\r\n\r\n",
                "HTTP/1.1 200 OK\r\n: v\r\n\r\n",
                "HTTP/1.0 200 OK\r\nETag: \"v1\"\r\n\r\n",
                "HTTP/2 200\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\n"); // and then the connection ends
        for (String answer : answers) {
            Server server = server(request -> answer);
            server.closeAfterEachAnswer = true;
            KeptConnection kept = kept(server.uri("http"));
            IOException e = assertThrows(IOException.class, () -> kept.head("/b/k", "h", Map.of()),
                    () -> "refused: " + answer.substring(0, Math.min(40, answer.length())));
            assertTrue(e.getMessage().startsWith("the store"), e.getMessage());
            server.answer = request -> OK;
            assertEquals(200, kept.head("/b/k", "h", Map.of()).status(), "a new connection after the refused answer");
            assertEquals(2, kept.opened());
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        Server server = server(request -> "");
        KeptConnection kept = new KeptConnection(server.uri("http"), null, 300, clock);
        open.add(kept);
        assertThrows(SocketTimeoutException.class, () -> kept.head("/b/k", "h", Map.of()));
    }

    @Test
    void aRequestCarriesOnlyPrintableAscii() throws Exception {
        Server server = server(request -> OK);
        KeptConnection kept = kept(server.uri("http"));
        assertThrows(IllegalArgumentException.class, () -> kept.head("/b/k", "h", Map.of("x-a", "1\r\nx-b: 2")));
        assertThrows(IllegalArgumentException.class, () -> kept.head("/b/k\u00e9", "h", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> kept.head("/b/k HTTP/1.1\r\n", "h", Map.of()));
        assertEquals(0, server.requests().size(), "nothing sent");
    }

    /**
     * Over TLS the server must hold a certificate for the name asked for, as HttpsURLConnection
     * checks: the same server is refused when reached by an address its certificate does not name.
     */
    @Test
    void tlsChecksTheServersNameAgainstItsCertificate(@TempDir Path dir) throws Exception {
        char[] password = "training".toCharArray();
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "training", "-keypass", "training").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore store = KeyStore.getInstance(keystore.toFile(), password);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Server server = new Server(socket, request -> OK);
        open.add(server);

        KeptConnection named = new KeptConnection(URI.create("https://localhost:" + server.port()),
                context.getSocketFactory(), 5_000, clock);
        open.add(named);
        assertEquals("\"v1\"", named.head("/b/k", "localhost:" + server.port(), Map.of()).header("etag"));
        assertEquals("\"v1\"", named.head("/b/k", "localhost:" + server.port(), Map.of()).header("etag"));
        assertEquals(1, named.opened());

        KeptConnection byAddress = new KeptConnection(URI.create("https://127.0.0.1:" + server.port()),
                context.getSocketFactory(), 5_000, clock);
        open.add(byAddress);
        assertThrows(SSLException.class, () -> byAddress.head("/b/k", "127.0.0.1:" + server.port(), Map.of()));
        assertEquals(2, server.requests().size(), "nothing sent to a server whose name did not check out");
    }

    private KeptConnection kept(URI uri) {
        KeptConnection kept = new KeptConnection(uri, null, 5_000, clock);
        open.add(kept);
        return kept;
    }

    private Server server(Function<String, String> answer) throws IOException {
        Server server = new Server(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answer);
        open.add(server);
        return server;
    }

    /**
     * Answers each request read from a connection (up to its blank line) with what {@link #answer}
     * gives: null closes the connection unanswered, "" never answers.
     */
    private static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
        private final BlockingQueue<Socket> connections = new LinkedBlockingQueue<>();
        private volatile int accepted;
        volatile Function<String, String> answer;
        volatile boolean closeAfterEachAnswer;

        Server(ServerSocket socket, Function<String, String> answer) {
            this.socket = socket;
            this.answer = answer;
            Thread acceptor = new Thread(this::accept, "kept-connection-test-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI uri(String scheme) {
            return URI.create(scheme + "://localhost:" + port());
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted;
        }

        List<String> requests() {
            return requests;
        }

        private void accept() {
            try {
                while (true) {
                    Socket connection = socket.accept();
                    accepted++;
                    connections.add(connection);
                    Thread serve = new Thread(() -> serve(connection), "kept-connection-test-connection");
                    serve.setDaemon(true);
                    serve.start();
                }
            } catch (IOException e) {
                // closed: the test is over
            }
        }

        private void serve(Socket connection) {
            try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
                while (true) {
                    String request = readRequest(in);
                    if (request == null) {
                        return;
                    }
                    requests.add(request);
                    String reply = answer.apply(request);
                    if (reply == null) {
                        return;
                    }
                    if (reply.isEmpty()) {
                        TimeUnit.SECONDS.sleep(30);
                        return;
                    }
                    out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (closeAfterEachAnswer) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                request.write(b);
                String text = request.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    return text;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : connections) {
                connection.close();
            }
        }
    }
}
