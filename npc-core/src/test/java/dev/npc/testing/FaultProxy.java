package dev.npc.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of an S3 endpoint (usually {@link EmbeddedS3}) that
 * breaks chosen requests the ways networks and stores break: error bursts, resets, truncated or
 * corrupted bodies, stalls, and a store that refuses connections. One request per connection
 * (both sides are told {@code Connection: close}), so every fault hits exactly one request.
 * The Host header is forwarded unchanged, so SigV4 signatures made for the proxy stay valid.
 *
 * <pre>
 * try (FaultProxy proxy = FaultProxy.start(s3.endpoint())) {
 *     proxy.inject(FaultProxy.Fault.RESET_MID_BODY, "GET", "/remotes/", 2);
 *     ... point the client's --endpoint-url at proxy.endpointUrl() ...
 * }
 * </pre>
 */
public final class FaultProxy implements AutoCloseable {
    /** What happens to a request. */
    public enum Fault {
        /** Forwarded untouched. */
        PASS,
        /** 500 InternalError; the store never sees the request. */
        ERROR_500,
        /** 503 ServiceUnavailable; the store never sees the request. */
        ERROR_503,
        /** 503 SlowDown, S3's throttling answer; the store never sees the request. */
        SLOW_DOWN,
        /** The store handles the request, then the client's connection is reset before any answer. */
        RESET_BEFORE_RESPONSE,
        /** The answer's head and half its body, then a reset. */
        RESET_MID_BODY,
        /** The answer's head and half its body, then nothing for {@link #stallFor}, then a reset. */
        STALL_MID_BODY,
        /** The answer's head (with its full Content-Length) and half its body, then a clean close. */
        TRUNCATED_BODY,
        /** The whole answer with one byte of the body flipped, so it no longer matches its sha256. */
        CORRUPT_BODY,
        /** Nothing for {@link #stallFor} (longer than the client's timeout), then a close; the store never sees it. */
        STALL,
        /**
         * A PUT is stored as something other than what was sent, and the server ignores every
         * integrity header: what s3rver did over plain HTTP, where it kept the SDK's SigV4 chunk
         * framing ({@code aws-chunked}) as the object's bytes. A framed body is stored as it came; a
         * plain one (npc sends no framing) is stored inside the same framing. The answer is the
         * server's own (its ETag is the MD5 of what it stored). Needs an upstream that does not check signatures
         * ({@link EmbeddedS3#startUnauthenticated}): the proxy drops signed headers.
         */
        STORE_OTHER_BYTES,
        /** The answer's ETag (header, or {@code <ETag>} of a copy result) is replaced by another MD5-shaped one. */
        REWRITE_ETAG,
        /**
         * A copy loses its {@code x-amz-copy-source-if-match} condition on the way, as on a server
         * that ignores it. Needs an upstream that does not check signatures.
         */
        DROP_COPY_CONDITION,
        /**
         * A PUT body has one byte flipped on the way while its headers (Content-MD5, checksums)
         * stay: a server that checks them must refuse it. Needs an upstream that does not check signatures.
         */
        CORRUPT_REQUEST_BODY,
        /**
         * The answer looks like one from a bucket with SSE-KMS: another, random-looking ETag and
         * {@code x-amz-server-side-encryption: aws:kms}. Nothing is wrong with the object.
         */
        KMS_ANSWER
    }

    /** A request as the proxy received it: header names in lower case. */
    public record Seen(String method, String path, Map<String, String> headers, Fault fault) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private record Rule(Fault fault, String method, String pathPart, AtomicInteger remaining, Runnable before) {
        boolean matches(String requestMethod, String path) {
            return (method == null || method.equalsIgnoreCase(requestMethod))
                    && (pathPart == null || path.contains(pathPart));
        }
    }

    private final URI upstream;
    private final int port;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<Fault, AtomicInteger> served = new EnumMap<>(Fault.class);
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private volatile Thread acceptor;
    private volatile Duration stall = Duration.ofSeconds(5);
    private volatile Random random;
    private volatile double probability;
    private volatile List<Fault> randomFaults = List.of();
    private volatile boolean closed;

    private FaultProxy(URI upstream, ServerSocket server) {
        this.upstream = upstream;
        this.server = server;
        this.port = server.getLocalPort();
        for (Fault fault : Fault.values()) {
            served.put(fault, new AtomicInteger());
        }
    }

    public static FaultProxy start(URI upstream) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FaultProxy proxy = new FaultProxy(upstream, server);
        proxy.accept(server);
        return proxy;
    }

    public String endpointUrl() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The next {@code times} requests matching {@code method} (null: any) and whose path contains
     * {@code pathPart} (null: any) get {@code fault}. Rules apply in the order given.
     */
    public FaultProxy inject(Fault fault, String method, String pathPart, int times) {
        return inject(fault, method, pathPart, times, null);
    }

    /**
     * Like {@link #inject(Fault, String, String, int)}, and runs {@code before} (on the proxy's
     * thread) after the request arrived and before it is forwarded: a race made certain, e.g. the
     * source of a copy changing while the copy is on its way.
     */
    public FaultProxy inject(Fault fault, String method, String pathPart, int times, Runnable before) {
        rules.add(new Rule(fault, method, pathPart, new AtomicInteger(times), before));
        return this;
    }

    /** Every request not caught by a rule gets one of {@code faults} with this probability (soak runs). */
    public FaultProxy randomly(long seed, double probability, List<Fault> faults) {
        this.random = new Random(seed);
        this.probability = probability;
        this.randomFaults = List.copyOf(faults);
        return this;
    }

    public FaultProxy stallFor(Duration duration) {
        this.stall = duration;
        return this;
    }

    /** Drops every rule and random fault: the network heals. */
    public void heal() {
        rules.clear();
        randomFaults = List.of();
    }

    /**
     * The store disappears: the port refuses connections until {@link #up}. Returns only once the
     * port is really closed: {@link ServerSocket#close} returns while the acceptor thread is still
     * blocked in {@code accept()}, and until that call ends the kernel keeps the socket listening,
     * so a client connecting right after close() is accepted (measured: about two of three tries on
     * loopback) and would be served as if the store were still there.
     */
    public synchronized void down() throws IOException {
        if (server != null) {
            server.close();
            server = null;
            try {
                acceptor.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the fault proxy on port " + port + " was going down", e);
            }
            if (acceptor.isAlive()) {
                throw new IOException("the fault proxy on port " + port + " still accepts connections 10 s after going down");
            }
        }
    }

    /** The store comes back on the same port. */
    public synchronized void up() throws IOException {
        if (server == null && !closed) {
            ServerSocket again = new ServerSocket();
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            server = again;
            accept(again);
        }
    }

    public int served(Fault fault) {
        return served.get(fault).get();
    }

    /** Requests seen, as {@code METHOD path -> FAULT}, oldest first. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** Requests seen with their headers, oldest first. */
    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** Rules with matches left. */
    public int pendingRules() {
        return (int) rules.stream().filter(r -> r.remaining().get() > 0).count();
    }

    private void accept(ServerSocket socket) {
        Thread acceptor = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    workers.execute(() -> handle(client));
                } catch (IOException e) {
                    return;
                }
            }
        }, "fault-proxy-accept");
        acceptor.setDaemon(true);
        this.acceptor = acceptor;
        acceptor.start();
    }

    private Rule choose(String method, String path) {
        for (Rule rule : rules) {
            if (rule.matches(method, path) && rule.remaining().getAndDecrement() > 0) {
                return rule;
            }
        }
        Random r = random;
        List<Fault> pool = randomFaults;
        if (r != null && !pool.isEmpty()) {
            synchronized (r) {
                if (r.nextDouble() < probability) {
                    return new Rule(pool.get(r.nextInt(pool.size())), null, null, new AtomicInteger(), null);
                }
            }
        }
        return new Rule(Fault.PASS, null, null, new AtomicInteger(), null);
    }

    private void handle(Socket client) {
        if (server == null) {
            // Accepted while down() was closing the port (a client connecting concurrently):
            // a store that disappeared answers nothing.
            try {
                reset(client);
            } catch (IOException e) {
                // already gone
            }
            return;
        }
        try (client) {
            client.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            Head request = Head.read(in);
            if (request == null) {
                return;
            }
            if ("100-continue".equalsIgnoreCase(request.header("expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = readBody(in, request);
            String[] line = request.firstLine().split(" ");
            String method = line[0];
            String path = line.length > 1 ? line[1] : "/";
            Rule rule = choose(method, path);
            Fault fault = rule.fault();
            served.get(fault).incrementAndGet();
            log.add(method + " " + path + " -> " + fault);
            Map<String, String> headers = new java.util.TreeMap<>();
            request.headers().forEach(h -> headers.put(h[0].toLowerCase(Locale.ROOT), h[1]));
            seen.add(new Seen(method, path, Map.copyOf(headers), fault));
            if (rule.before() != null) {
                rule.before().run();
            }
            if (fault == Fault.STORE_OTHER_BYTES && "PUT".equals(method)) {
                Head original = request;
                byte[] stored = storedInstead(original, body);
                request = original.without("content-md5", "content-encoding", "x-amz-decoded-content-length",
                        "x-amz-content-sha256", "x-amz-trailer", "x-amz-sdk-checksum-algorithm", "transfer-encoding",
                        "content-length")
                        .withoutPrefix("x-amz-checksum-")
                        .with("Content-Length", Integer.toString(stored.length))
                        .with("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
                body = stored;
            } else if (fault == Fault.DROP_COPY_CONDITION) {
                request = request.without("x-amz-copy-source-if-match");
            } else if (fault == Fault.CORRUPT_REQUEST_BODY && body.length > 0) {
                body = body.clone();
                body[body.length / 2] ^= 0x01;
                request = request.without("x-amz-content-sha256").with("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
            }
            switch (fault) {
                case ERROR_500 -> error(out, method, 500, "Internal Server Error", "InternalError",
                        "We encountered an internal error. Please try again.");
                case ERROR_503 -> error(out, method, 503, "Service Unavailable", "ServiceUnavailable",
                        "Service is unable to handle request.");
                case SLOW_DOWN -> error(out, method, 503, "Slow Down", "SlowDown", "Please reduce your request rate.");
                case STALL -> sleep(stall);
                default -> relay(client, out, request, body, fault);
            }
        } catch (IOException e) {
            // The client went away; nothing to do.
        }
    }

    private void relay(Socket client, OutputStream out, Head request, byte[] body, Fault fault) throws IOException {
        byte[] response = forward(request, body);
        if (fault == Fault.RESET_BEFORE_RESPONSE) {
            reset(client);
            return;
        }
        int headEnd = Head.end(response);
        int bodyLength = response.length - headEnd;
        switch (fault) {
            case RESET_MID_BODY -> {
                out.write(response, 0, headEnd + bodyLength / 2);
                out.flush();
                reset(client);
            }
            case STALL_MID_BODY -> {
                out.write(response, 0, headEnd + bodyLength / 2);
                out.flush();
                sleep(stall);
                reset(client);
            }
            case TRUNCATED_BODY -> {
                out.write(response, 0, headEnd + bodyLength / 2);
                out.flush();
                client.shutdownOutput();
            }
            case CORRUPT_BODY -> {
                if (bodyLength > 0) {
                    response[headEnd + bodyLength / 2] ^= 0x01;
                }
                out.write(response);
                out.flush();
            }
            case REWRITE_ETAG -> {
                out.write(rewriteEtag(response, headEnd, "0123456789abcdef0123456789abcdef"));
                out.flush();
            }
            case KMS_ANSWER -> {
                byte[] kms = rewriteEtag(response, headEnd, "fedcba9876543210fedcba9876543210");
                String text = new String(kms, StandardCharsets.ISO_8859_1)
                        .replaceFirst("(?im)^x-amz-server-side-encryption:[^\\r\\n]*\\r\\n", "")
                        .replaceFirst("\r\n", "\r\nx-amz-server-side-encryption: aws:kms\r\n");
                out.write(text.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            default -> {
                out.write(response);
                out.flush();
            }
        }
    }

    /** Sends the request upstream with {@code Connection: close} and reads the whole answer. */
    private byte[] forward(Head request, byte[] body) throws IOException {
        try (Socket socket = new Socket(upstream.getHost(), upstream.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(request.firstLine()).append("\r\n");
            for (String[] header : request.headers()) {
                String name = header[0].toLowerCase(Locale.ROOT);
                if (!name.equals("connection") && !name.equals("expect") && !name.equals("keep-alive")) {
                    head.append(header[0]).append(": ").append(header[1]).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    /**
     * What a careless server keeps of a PUT body: the aws-chunked framing as it came (what s3rver
     * stored), or, for a plain body, the body with one byte flipped.
     */
    private static byte[] storedInstead(Head request, byte[] body) throws IOException {
        byte[] plain = "chunked".equalsIgnoreCase(request.header("transfer-encoding")) ? dechunk(body) : body;
        String encoding = String.valueOf(request.header("content-encoding"));
        String signing = String.valueOf(request.header("x-amz-content-sha256"));
        if (encoding.contains("aws-chunked") || signing.startsWith("STREAMING-")) {
            return plain;
        }
        String signature = ";chunk-signature=" + "0".repeat(64) + "\r\n";
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        framed.writeBytes((Integer.toHexString(plain.length) + signature).getBytes(StandardCharsets.US_ASCII));
        framed.writeBytes(plain);
        framed.writeBytes(("\r\n0" + signature + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return framed.toByteArray();
    }

    /** Removes HTTP/1.1 chunked transfer framing. */
    private static byte[] dechunk(byte[] raw) throws IOException {
        InputStream in = new java.io.ByteArrayInputStream(raw);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = Head.line(in);
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                return plain.toByteArray();
            }
            plain.writeBytes(in.readNBytes(size));
            Head.line(in);
        }
    }

    /** Replaces the ETag of an answer by {@code fake}: the header, and a copy result's {@code <ETag>} element. */
    private static byte[] rewriteEtag(byte[] response, int headEnd, String fake) {
        String head = new String(response, 0, headEnd, StandardCharsets.ISO_8859_1)
                .replaceAll("(?im)^(ETag:\\s*)\"?[^\"\\r\\n]*\"?", "$1\"" + fake + "\"");
        String body = new String(response, headEnd, response.length - headEnd, StandardCharsets.ISO_8859_1);
        String newBody = body.replaceAll("<ETag>[^<]*</ETag>", "<ETag>&quot;" + fake + "&quot;</ETag>");
        if (!newBody.equals(body)) {
            head = head.replaceAll("(?im)^Content-Length:\\s*\\d+", "Content-Length: "
                    + newBody.getBytes(StandardCharsets.ISO_8859_1).length);
        }
        return (head + newBody).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readBody(InputStream in, Head request) throws IOException {
        String length = request.header("content-length");
        if ("chunked".equalsIgnoreCase(request.header("transfer-encoding"))) {
            return readChunked(in);
        }
        if (length == null) {
            return new byte[0];
        }
        return in.readNBytes(Integer.parseInt(length.trim()));
    }

    /** Copies a chunked body byte for byte (it is forwarded chunked, as received). */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = Head.line(in);
            raw.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = Head.line(in);
                    raw.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.isEmpty());
                return raw.toByteArray();
            }
            raw.writeBytes(in.readNBytes(size + 2));
        }
    }

    private static void error(OutputStream out, String method, int status, String reason, String code, String message)
            throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>fault-proxy</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        boolean head = "HEAD".equalsIgnoreCase(method);
        String text = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + xml.length + "\r\nConnection: close\r\n\r\n";
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        if (!head) {
            out.write(xml);
        }
        out.flush();
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            down();
        } catch (IOException e) {
            // closing anyway
        }
        workers.shutdownNow();
    }

    /** A request head: first line and headers in order. */
    private record Head(String firstLine, List<String[]> headers) {
        static Head read(InputStream in) throws IOException {
            String first = line(in);
            if (first == null || first.isEmpty()) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
            }
            return new Head(first, headers);
        }

        String header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        Head without(String... names) {
            List<String> drop = java.util.Arrays.stream(names).map(n -> n.toLowerCase(Locale.ROOT)).toList();
            return new Head(firstLine, headers.stream().filter(h -> !drop.contains(h[0].toLowerCase(Locale.ROOT))).toList());
        }

        Head withoutPrefix(String prefix) {
            return new Head(firstLine, headers.stream()
                    .filter(h -> !h[0].toLowerCase(Locale.ROOT).startsWith(prefix)).toList());
        }

        Head with(String name, String value) {
            List<String[]> more = new ArrayList<>(headers);
            more.add(new String[] {name, value});
            return new Head(firstLine, more);
        }

        /** One CRLF-terminated line, or null at end of stream. */
        static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }

        /** Where the body of a raw response starts. */
        static int end(byte[] response) {
            for (int i = 3; i < response.length; i++) {
                if (response[i - 3] == '\r' && response[i - 2] == '\n' && response[i - 1] == '\r' && response[i] == '\n') {
                    return i + 1;
                }
            }
            return response.length;
        }
    }
}
