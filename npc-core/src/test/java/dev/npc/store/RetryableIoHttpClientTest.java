package dev.npc.store;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The connection-level repairs, against a scripted transport: what each send does is given in
 * advance. (The S3 behaviour itself is tested against S3Proxy in S3StoreTest and FaultProxyTest;
 * the dead pooled connections this guards against appear there only now and then.)
 */
class RetryableIoHttpClientTest {
    private static final String NOT_SENT = "Error writing request body to server";
    private static final HttpExecuteRequest PUT = HttpExecuteRequest.builder()
            .request(SdkHttpRequest.builder().method(SdkHttpMethod.PUT).uri(URI.create("http://127.0.0.1:9/b/k")).build())
            .build();
    private static final HttpExecuteResponse OK = HttpExecuteResponse.builder()
            .response(SdkHttpResponse.builder().statusCode(200).build()).build();

    @Test
    void aRequestThatMetOnlyDeadPooledConnectionsIsSentAgainUntilItReachesALiveOne() throws IOException {
        Transport transport = new Transport(List.of(new IOException(NOT_SENT), new IOException(NOT_SENT),
                new IOException(NOT_SENT), new IOException(NOT_SENT), new IOException(NOT_SENT)));
        assertSame(OK, new RetryableIoHttpClient(transport).prepareRequest(PUT).call());
        assertEquals(6, transport.sends);
    }

    @Test
    void aBodyTheSdkCanStreamOnlyOnceIsSentWhole() throws IOException {
        byte[] body = "{\"phase\":\"idle\"}".getBytes(StandardCharsets.UTF_8);
        InputStream once = new ByteArrayInputStream(body);
        HttpExecuteRequest put = HttpExecuteRequest.builder()
                .request(PUT.httpRequest().toBuilder().putHeader("Content-Length", String.valueOf(body.length)).build())
                .contentStreamProvider(() -> once)
                .build();
        Transport transport = new Transport(List.of(new IOException(NOT_SENT), new IOException(NOT_SENT)));
        assertSame(OK, new RetryableIoHttpClient(transport).prepareRequest(put).call());
        assertEquals(3, transport.bodies.size());
        for (byte[] sent : transport.bodies) {
            assertArrayEquals(body, sent);
        }
    }

    @Test
    void aLargeBodyIsLeftToTheSdksAttempts() {
        HttpExecuteRequest put = HttpExecuteRequest.builder()
                .request(PUT.httpRequest().toBuilder().putHeader("Content-Length", String.valueOf(2 << 20)).build())
                .contentStreamProvider(() -> new ByteArrayInputStream(new byte[2 << 20]))
                .build();
        Transport transport = new Transport(List.of(new IOException(NOT_SENT)));
        assertThrows(IOException.class, () -> new RetryableIoHttpClient(transport).prepareRequest(put).call());
        assertEquals(1, transport.sends);
    }

    @Test
    void moreDeadConnectionsThanThePoolHoldsIsARealFailureLeftToTheSdk() {
        IOException last = new IOException(NOT_SENT);
        Transport transport = new Transport(List.of(new IOException(NOT_SENT), new IOException(NOT_SENT),
                new IOException(NOT_SENT), new IOException(NOT_SENT), new IOException(NOT_SENT), last));
        assertSame(last, assertThrows(IOException.class, () -> new RetryableIoHttpClient(transport).prepareRequest(PUT).call()));
        assertEquals(6, transport.sends);
    }

    @Test
    void aFailureAfterTheRequestWasSentIsNotRepeatedHereButUnwrappedForTheSdk() {
        IOException reset = new IOException("Unexpected end of file from server");
        Transport transport = new Transport(List.of(new UncheckedIOException(reset)));
        assertSame(reset, assertThrows(IOException.class, () -> new RetryableIoHttpClient(transport).prepareRequest(PUT).call()));
        assertEquals(1, transport.sends);
    }

    /** Each send takes the next scripted failure; when none is left, it answers 200. */
    private static final class Transport implements SdkHttpClient {
        private final Deque<Exception> failures;
        int sends;
        final List<byte[]> bodies = new ArrayList<>();

        Transport(List<Exception> failures) {
            this.failures = new ArrayDeque<>(failures);
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() throws IOException {
                    sends++;
                    if (request.contentStreamProvider().isPresent()) {
                        bodies.add(request.contentStreamProvider().get().newStream().readAllBytes());
                    }
                    Exception next = failures.poll();
                    if (next instanceof IOException io) {
                        throw io;
                    }
                    if (next instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    return OK;
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
