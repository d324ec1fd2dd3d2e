package dev.npc.tests.infra;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 in front of an S3 endpoint that records every request as it went
 * over the wire (method, path, query, the copy source header) with the status S3 answered, under
 * the label of the command being run. One request per connection (both sides are told
 * {@code Connection: close}); the Host header is forwarded unchanged, so SigV4 signatures made for
 * the proxy stay valid.
 */
final class S3Recorder implements AutoCloseable {
    /** One request: {@code target} is the raw request target (path and query, still encoded). */
    record Call(String label, String method, String target, String copySource, int status) {
        @Override
        public String toString() {
            return method + " " + target + (copySource == null ? "" : " (copy of " + copySource + ")") + " -> " + status;
        }
    }

    private final URI upstream;
    private final ServerSocket server;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-recorder");
        t.setDaemon(true);
        return t;
    });
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile String label = "";

    private S3Recorder(URI upstream, ServerSocket server) {
        this.upstream = upstream;
        this.server = server;
        this.acceptor = new Thread(this::accept, "s3-recorder-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static S3Recorder start(URI upstream) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new S3Recorder(upstream, server);
    }

    String endpointUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Requests from now on are recorded under this label (the command being run). */
    void label(String label) {
        this.label = label;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    void clear() {
        calls.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                workers.execute(() -> handle(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            String first = line(in);
            if (first == null || first.isEmpty()) {
                return;
            }
            List<String[]> headers = new ArrayList<>();
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.add(new String[] {header.substring(0, colon).trim(), header.substring(colon + 1).trim()});
            }
            if ("100-continue".equalsIgnoreCase(header(headers, "expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = "chunked".equalsIgnoreCase(header(headers, "transfer-encoding")) ? chunked(in)
                    : in.readNBytes(header(headers, "content-length") == null ? 0 : Integer.parseInt(header(headers, "content-length")));
            byte[] response = forward(first, headers, body);
            String statusLine = new String(response, 0, Math.min(response.length, 40), StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            String[] parts = first.split(" ");
            calls.add(new Call(label, parts[0], parts[1], header(headers, "x-amz-copy-source"), status));
            out.write(response);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // The client went away, or the store did: the command sees the broken connection.
        }
    }

    private byte[] forward(String first, List<String[]> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket(upstream.getHost(), upstream.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(first).append("\r\n");
            for (String[] header : headers) {
                String name = header[0].toLowerCase(Locale.ROOT);
                if (!name.equals("connection") && !name.equals("expect") && !name.equals("keep-alive")) {
                    head.append(header[0]).append(": ").append(header[1]).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    private static String header(List<String[]> headers, String name) {
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                return header[1];
            }
        }
        return null;
    }

    /** A chunked body, byte for byte (forwarded chunked, as received). */
    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            raw.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = line(in);
                    raw.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } while (trailer != null && !trailer.isEmpty());
                return raw.toByteArray();
            }
            raw.writeBytes(in.readNBytes(size + 2));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return b == -1 && bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(10_000);
        } catch (IOException e) {
            // closing anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }
}
