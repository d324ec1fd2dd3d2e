package dev.npc.store;

import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two repairs to the URL-connection client.
 *
 * <p>It reports network failures (for example "Unexpected end of file from server" when a server
 * closed a pooled keep-alive connection) as {@link UncheckedIOException}, which the SDK's retry
 * stage does not recognise, so they escaped as raw runtime exceptions. Unwrapping them into the
 * checked {@link IOException} the SDK expects makes them retried under the standard retry
 * strategy and, when retries run out, reported as an SdkClientException.
 *
 * <p>The JDK pools up to {@code http.maxConnections} (5) idle connections per server and cannot
 * tell that the server has since closed one; S3Proxy does after refusing a conditional PUT, so the
 * losers of a race leave dead connections behind. A request sent on a dead one fails while its
 * body is written ("Error writing request body to server"), and the JDK, which retries a stale
 * connection itself only for requests it buffers, does not for the SDK's streamed uploads. With the
 * SDK's three attempts, three dead connections in the pool failed an upload that never reached the
 * server. Such a request is sent again at once, on the next connection, as often as the pool can
 * hold dead ones; the server did not get it, so sending it again is safe, and the SDK's attempts
 * are left for real failures (an endpoint that resets or stalls still fails after them). Only
 * bodies of up to 1 MiB are sent again here (see {@link #replayable}); larger ones still count on
 * the SDK's attempts.
 */
final class RetryableIoHttpClient implements SdkHttpClient {
    /** What the JDK says when the request could not be written: the server did not get it. */
    private static final String NOT_SENT = "Error writing request body to server";
    /** Bodies up to this size (documents, states, small archives) are kept to be sent again. */
    private static final long REPLAYABLE_BODY = 1 << 20;

    private final SdkHttpClient delegate;
    private final int pooledConnections;

    RetryableIoHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
        // The JDK's own reading of http.maxConnections: a non-positive value means the default.
        int configured = Integer.getInteger("http.maxConnections", 5);
        this.pooledConnections = configured > 0 ? configured : 5;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest original) {
        HttpExecuteRequest replayable = replayable(original);
        HttpExecuteRequest request = replayable == null ? original : replayable;
        return new ExecutableHttpRequest() {
            private volatile ExecutableHttpRequest current = delegate.prepareRequest(request);
            private volatile boolean aborted;

            @Override
            public HttpExecuteResponse call() throws IOException {
                for (int deadConnections = 0; ; deadConnections++) {
                    try {
                        return unwrapped(current);
                    } catch (IOException e) {
                        if (replayable == null || aborted || deadConnections >= pooledConnections
                                || !NOT_SENT.equals(e.getMessage())) {
                            throw e;
                        }
                        current = delegate.prepareRequest(request);
                    }
                }
            }

            @Override
            public void abort() {
                aborted = true;
                current.abort();
            }
        };
    }

    /**
     * The request with a body that can be sent more than once, or null when it cannot: the SDK's
     * body streams are made for one send per attempt (it rewinds them itself between attempts),
     * so a small body is kept in memory on its first read and replayed; a large or unsized one is
     * left to the SDK's attempts.
     */
    private static HttpExecuteRequest replayable(HttpExecuteRequest request) {
        if (request.contentStreamProvider().isEmpty()) {
            return request;
        }
        long length = request.httpRequest().firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(-1L);
        if (length < 0 || length > REPLAYABLE_BODY) {
            return null;
        }
        ContentStreamProvider body = request.contentStreamProvider().get();
        AtomicReference<byte[]> read = new AtomicReference<>();
        ContentStreamProvider replay = () -> {
            byte[] bytes = read.get();
            if (bytes == null) {
                try (InputStream in = body.newStream()) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                read.set(bytes);
            }
            return new ByteArrayInputStream(bytes);
        };
        return HttpExecuteRequest.builder().request(request.httpRequest()).contentStreamProvider(replay).build();
    }

    private static HttpExecuteResponse unwrapped(ExecutableHttpRequest request) throws IOException {
        try {
            return request.call();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
