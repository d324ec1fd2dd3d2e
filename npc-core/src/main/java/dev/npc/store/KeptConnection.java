package dev.npc.store;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection to the store kept open between HEAD requests: what the daemon's poll sends
 * once a second or once a minute, two HEADs each time. Through {@code HttpURLConnection} such a
 * HEAD went through the JDK's URL handler, keep-alive cache (and its timer thread, awake every 5 s),
 * header maps and logging checks: about a third of an unchanged poll's CPU, and most of the methods
 * the JIT still compiled in a young daemon. A HEAD's answer has no body, so the exchange is a few
 * hundred bytes each way and the answer ends at its blank line.
 *
 * <p>Every answer comes from a server and is treated as hostile: the head of an answer is bounded
 * ({@link #MAX_HEAD_BYTES}, {@link #MAX_HEADERS}), control characters, folded lines, another
 * protocol or an interim (1xx) answer end the connection with an {@link IOException}, and the caller
 * (the ETag probe) takes any failure as "cannot tell". Over TLS the server's name is checked against
 * its certificate (endpoint identification, as HttpsURLConnection does), with the JDK's trust store.
 *
 * <p>A connection idle for {@link #IDLE} or more is not trusted to be open any more (servers close
 * idle ones, the JDK's own keep-alive default is 5 s): it is closed and a new one made. A kept one
 * that the server closed meanwhile fails on its first use, and the request is sent once more on a
 * new connection (a HEAD changes nothing, so sending it twice is safe).
 */
final class KeptConnection implements Closeable {
    static final int MAX_HEAD_BYTES = 16 * 1024;
    static final int MAX_HEADERS = 100;
    static final Duration IDLE = Duration.ofSeconds(4);

    /** An answer's status and its headers: names in lower case, the first value of each. */
    record Answer(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final String host;
    private final int port;
    private final SSLSocketFactory tls;
    private final int timeoutMillis;
    private final Clock clock;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private Instant lastUsed;
    private int opened;

    /**
     * @param base the store's URL (http or https), whose host and port every request goes to
     * @param tls  the TLS sockets for an https URL (the JDK's default in production)
     */
    KeptConnection(URI base, SSLSocketFactory tls, int timeoutMillis, Clock clock) {
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        if (!https && !"http".equalsIgnoreCase(base.getScheme())) {
            throw new IllegalArgumentException("not an http or https URL: " + base);
        }
        this.host = base.getHost();
        this.port = base.getPort() != -1 ? base.getPort() : https ? 443 : 80;
        this.tls = https ? tls : null;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    /**
     * Sends {@code HEAD target} with {@code hostHeader} and {@code headers} (already signed) and
     * reads the answer.
     *
     * @throws IOException when the store cannot be reached, or its answer is not a plain HTTP/1.1 one
     */
    synchronized Answer head(String target, String hostHeader, Map<String, String> headers) throws IOException {
        byte[] request = request(target, hostHeader, headers);
        boolean kept = socket != null && lastUsed != null && clock.instant().isBefore(lastUsed.plus(IDLE));
        if (!kept) {
            close();
            connect();
        }
        Answer answer;
        try {
            answer = exchange(request);
        } catch (EOFException | java.net.SocketException e) {
            // Closed by the server while it was kept: once more on a new connection.
            close();
            if (!kept) {
                throw e;
            }
            connect();
            answer = exchange(request);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        lastUsed = clock.instant();
        String connection = answer.header("connection");
        if (connection != null && connection.equalsIgnoreCase("close")) {
            close();
        }
        return answer;
    }

    /** How many connections were made so far: what the tests count reuse by. */
    synchronized int opened() {
        return opened;
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing to keep from a connection being thrown away.
            }
            socket = null;
            in = null;
            out = null;
        }
    }

    private static byte[] request(String target, String hostHeader, Map<String, String> headers) {
        StringBuilder request = new StringBuilder(512).append("HEAD ").append(printable(target))
                .append(" HTTP/1.1\r\nHost: ").append(printable(hostHeader)).append("\r\n");
        headers.forEach((name, value) -> request.append(printable(name)).append(": ").append(printable(value)).append("\r\n"));
        return request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The target is URL-encoded and the signed values are ASCII: anything else would be changed on
     * the wire (what is signed must be what is sent), and a line break would start another header.
     */
    private static String printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("a HEAD request can carry only printable ASCII (character " + i + ")");
            }
        }
        return text;
    }

    private void connect() throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            plain.setTcpNoDelay(true);
            Socket connected = plain;
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.startHandshake();
                connected = secure;
            }
            socket = connected;
            in = new BufferedInputStream(connected.getInputStream(), 2048);
            out = connected.getOutputStream();
            opened++;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private Answer exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return read(in);
    }

    /** The head of an answer, up to its blank line; HEAD answers end there. */
    static Answer read(InputStream in) throws IOException {
        byte[] line = new byte[MAX_HEAD_BYTES];
        int total = 0;
        int status = -1;
        Map<String, String> headers = new HashMap<>();
        while (true) {
            int length = 0;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException(status < 0 && total == 0 ? "the store closed the connection"
                            : "the store's answer ended before its blank line");
                }
                if (++total > MAX_HEAD_BYTES) {
                    throw new IOException("the store's answer has a head longer than " + MAX_HEAD_BYTES + " bytes");
                }
                if (b == '\n') {
                    if (length == 0 || line[length - 1] != '\r') {
                        throw new IOException("the store's answer has a line not ended by CRLF");
                    }
                    length--;
                    break;
                }
                line[length++] = (byte) b;
            }
            if (status < 0) {
                status = status(line, length);
                continue;
            }
            if (length == 0) {
                return new Answer(status, headers);
            }
            if (headers.size() == MAX_HEADERS) {
                throw new IOException("the store's answer has more than " + MAX_HEADERS + " headers");
            }
            header(line, length, headers);
        }
    }

    /** {@code HTTP/1.1 NNN reason}, a final answer (not 1xx). */
    private static int status(byte[] line, int length) throws IOException {
        String text = new String(line, 0, length, StandardCharsets.ISO_8859_1);
        if (length < 12 || !text.startsWith("HTTP/1.1 ") || length > 12 && line[12] != ' ') {
            throw new IOException("the store's answer does not start with an HTTP/1.1 status line");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            if (line[i] < '0' || line[i] > '9') {
                throw new IOException("the store's answer does not start with an HTTP/1.1 status line");
            }
            status = status * 10 + line[i] - '0';
        }
        if (status < 200 || status > 599) {
            throw new IOException("the store answered with status " + status + ", which a HEAD here does not expect");
        }
        return status;
    }

    /** {@code name: value}: a token name, a value of printable characters and tabs. */
    private static void header(byte[] line, int length, Map<String, String> headers) throws IOException {
        int colon = -1;
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b == ':') {
                colon = i;
                break;
            }
            if (b <= ' ' || b >= 0x7f || "()<>@,;\\\"/[]?={}".indexOf(b) >= 0) {
                throw new IOException("the store's answer has a malformed header line");
            }
        }
        if (colon <= 0) {
            throw new IOException("the store's answer has a malformed header line");
        }
        for (int i = colon + 1; i < length; i++) {
            int b = line[i] & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f) {
                throw new IOException("the store's answer has a control character in a header");
            }
        }
        String name = new String(line, 0, colon, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        String value = new String(line, colon + 1, length - colon - 1, StandardCharsets.ISO_8859_1).strip();
        headers.putIfAbsent(name, value);
    }
}
