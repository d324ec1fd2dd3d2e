package dev.npc.daemon.bench;

import dev.npc.daemon.testing.TestFleet;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.gaul.shaded.org.eclipse.jetty.server.Handler;
import org.gaul.shaded.org.eclipse.jetty.server.Request;
import org.gaul.shaded.org.eclipse.jetty.server.Response;
import org.gaul.shaded.org.eclipse.jetty.server.Server;
import org.gaul.shaded.org.eclipse.jetty.util.Callback;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server side of bench/poll-bench.sh, in a JVM of its own so the daemon's process is measured
 * alone: S3Proxy on 127.0.0.1 with one host (desired.json) and its remote published, the stand-in
 * system commands, and a count of the requests the server answered, taken where they arrive (in
 * front of S3Proxy's handler), so the daemon is measured as it ships, without a proxy or logging.
 *
 * <p>Usage: {@code PollBenchServer DIR}. Writes {@code DIR/daemon.args} (the daemon's flags, one a
 * line) and {@code DIR/env} (AWS_* variables, one a line), prints {@code ready}, then answers each
 * line on standard input: {@code counts} prints one line of counters, {@code publish NAME}
 * publishes a new version, {@code quit} ends it.
 */
public final class PollBenchServer {
    private static final String BUCKET = "npc-bench";

    /** Requests by kind, as the server saw them. */
    static final class Counter extends Handler.Wrapper {
        /** Requests for desired.json: one per poll (HEAD, or GET when it changed or is read the first time). */
        final AtomicLong desiredReads = new AtomicLong();
        final AtomicLong gets = new AtomicLong();
        final AtomicLong heads = new AtomicLong();
        final AtomicLong puts = new AtomicLong();
        final AtomicLong others = new AtomicLong();
        final AtomicLong notModified = new AtomicLong();
        final AtomicLong bodyBytes = new AtomicLong();

        Counter(Handler handler) {
            super(handler);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String method = request.getMethod();
            String path = request.getHttpURI().getPath();
            return super.handle(request, response, Callback.from(() -> {
                if (path.endsWith("/desired.json") && !"PUT".equals(method)) {
                    desiredReads.incrementAndGet();
                }
                switch (method) {
                    case "GET" -> gets.incrementAndGet();
                    case "HEAD" -> heads.incrementAndGet();
                    case "PUT" -> puts.incrementAndGet();
                    default -> others.incrementAndGet();
                }
                if (response.getStatus() == 304) {
                    notModified.incrementAndGet();
                } else if (!"HEAD".equals(method)) {
                    long length = response.getHeaders().getLongField("Content-Length");
                    bodyBytes.addAndGet(Math.max(0, length));
                }
            }, callback));
        }

        String line() {
            return "polls=" + desiredReads + " get=" + gets + " head=" + heads + " put=" + puts + " other=" + others
                    + " notmodified=" + notModified + " bodybytes=" + bodyBytes;
        }
    }

    private PollBenchServer() { }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        BlobStore blobs = new TransientNio2BlobStore();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .awsAuthentication(AuthenticationType.AWS_V4, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        // S3Proxy does not expose its Jetty server; the counter goes in front of its handler.
        java.lang.reflect.Field field = S3Proxy.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        Counter counter = new Counter(server.getHandler());
        server.setHandler(counter);
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState())) {
                throw new IllegalStateException("S3Proxy failed to start on 127.0.0.1");
            }
            Thread.sleep(5);
        }
        blobs.createContainer(BUCKET);
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        Store store = Stores.open("s3://" + BUCKET + "/fleet", new StoreOptions(endpoint, EmbeddedS3.REGION,
                EmbeddedS3.credentials(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)));
        TestFleet fleet = new TestFleet(dir, store);
        fleet.desired("{\"remote\": \"prod\"}");
        fleet.publishSystem("prod", "v1");
        Files.write(dir.resolve("daemon.args"), fleet.flags());
        Files.writeString(dir.resolve("env"), "AWS_ENDPOINT_URL=" + endpoint + "\nAWS_ACCESS_KEY_ID="
                + EmbeddedS3.ACCESS_KEY + "\nAWS_SECRET_ACCESS_KEY=" + EmbeddedS3.SECRET_KEY + "\nAWS_REGION="
                + EmbeddedS3.REGION + "\nNPC_BENCH_BUCKET=" + BUCKET + "\nNPC_BENCH_DESIRED=fleet/hosts/"
                + TestFleet.HOST + "/desired.json\n");
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            if (line.equals("counts")) {
                System.out.println(counter.line());
            } else if (line.startsWith("publish ")) {
                fleet.publishSystem("prod", line.substring("publish ".length()));
                System.out.println("published");
            } else {
                System.out.println("unknown command: " + line);
            }
            System.out.flush();
        }
        store.close();
        proxy.stop();
        // S3Proxy's worker threads need not linger: the script waits for this process.
        System.exit(0);
    }
}
