package dev.npc.store;

import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The URL-connection client reports network failures (for example "Unexpected end of file from
 * server" when a server closed a pooled keep-alive connection) as {@link UncheckedIOException},
 * which the SDK's retry stage does not recognise, so they escaped as raw runtime exceptions.
 * Unwrapping them into the checked {@link IOException} the SDK expects makes them retried under
 * the standard retry strategy and, when retries run out, reported as an SdkClientException.
 */
final class RetryableIoHttpClient implements SdkHttpClient {
    private final SdkHttpClient delegate;

    RetryableIoHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest inner = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                try {
                    return inner.call();
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }

            @Override
            public void abort() {
                inner.abort();
            }
        };
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
