package dev.npc.watch;

import dev.npc.digest.Sha256;
import dev.npc.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * POSTs each event as JSON to a URL (Slack's, Mattermost's and most chat tools' incoming webhooks
 * read its {@code text}). A 2xx delivers; 408, 429, a 5xx or no answer are tried again; any other
 * answer (a 3xx is not followed: the body would go where the URL did not say) refuses the event.
 * The URL of a chat webhook is its secret, so logs and the state file name only its host and a
 * hash of it.
 */
public final class WebhookDestination implements Destination {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    // Chat webhooks answer in well under a second; a hung receiver holds its own queue, and the next
    // round of the others, no longer than this.
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final URI uri;
    private final HttpClient client;

    private WebhookDestination(URI uri, HttpClient client) {
        this.uri = uri;
        this.client = client;
    }

    /** Checks {@code url}: http or https with a host, else an error naming the fix. */
    public static WebhookDestination of(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--webhook '" + redact(url) + "' is not a URL: " + e.getReason()
                    + "; give an http:// or https:// URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("--webhook '" + redact(url) + "' is not an http:// or https:// URL with a host;"
                    + " give one such as https://hooks.slack.com/services/...");
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new WebhookDestination(uri, client);
    }

    @Override
    public String id() {
        return "webhook-" + Sha256.hex(uri.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    @Override
    public String describe() {
        return "webhook " + uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst("^.*@", "") + "/...";
    }

    @Override
    public Delivery deliver(WatchEvent event) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "npc-watch")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(event))).build();
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return new Failed(describe() + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                    false, null);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Delivered();
        }
        String reason = describe() + " answered " + status;
        if (status == 408 || status == 429 || status >= 500) {
            return new Failed(reason, false, retryAfter(response).orElse(null));
        }
        return new Failed(reason + " (refused: check the URL and what the receiver expects)", true, null);
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.strip())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** A URL for an error message: scheme and host only, the rest may be the secret. */
    private static String redact(String url) {
        int start = url.indexOf("://");
        if (start < 0) {
            return url.length() > 12 ? url.substring(0, 12) + "..." : url;
        }
        int end = url.indexOf('/', start + 3);
        return end < 0 ? url : url.substring(0, end) + "/...";
    }
}
