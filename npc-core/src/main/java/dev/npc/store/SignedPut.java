package dev.npc.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small write (a host's state, a history record) sent as one signed PUT by {@link SignedHttp},
 * without the S3 client: a daemon whose polls {@link SignedReads#probe} answers and whose reports go this
 * way never builds the client, and so never loads its classes.
 *
 * <p>The request is the client's: {@code Content-MD5} and {@code x-amz-checksum-sha256} of the
 * body, which the server checks, the body itself signed by its sha256, the user metadata, and
 * {@code If-Match} / {@code If-None-Match: *} for a conditional write. Three answers are handled
 * here: 200 (the answer is then verified by {@link S3Store} exactly as the client's), 412 (the
 * precondition did not hold) and a 400 refusing the body's digests (reported as the client's
 * path reports it). Anything else (another status, an I/O failure, a bucket that lives
 * elsewhere) is {@link NotHandled}, and the caller makes the write through the client, which
 * reports, retries and settles as before.
 */
final class SignedPut {
    /** Bodies up to this size go this way; larger ones (archives) are streamed by the client, which retries mid-body. */
    static final int MAX_BYTES = 1 << 20;

    /** What one signed PUT came to. */
    sealed interface Outcome permits Answered, Refused, DigestRefused, NotHandled { }

    /**
     * Answered 200: what the server says it stored (size unknown, -1), to be verified.
     *
     * @param dated whether the answer carried the server's Date (else a HEAD says when)
     */
    record Answered(ObjectInfo answered, boolean dated) implements Outcome { }

    /** Answered 412: the write's precondition did not hold; nothing was written. */
    record Refused() implements Outcome { }

    /**
     * Answered 400 for a body that does not match the digests sent (the server checked them, as
     * it must): something on the way changed it; nothing was written.
     *
     * @param code the error code the server named, or empty
     */
    record DigestRefused(String code) implements Outcome { }

    /** @param maybeSent whether the server may have stored the body (no answer, or a 5xx) */
    record NotHandled(boolean maybeSent) implements Outcome { }

    private final SignedHttp http;

    SignedPut(SignedHttp http) {
        this.http = http;
    }

    /**
     * Sends {@code body}, whose digests are {@code digest}, as {@code key}.
     *
     * @param meta user metadata, already normalised ({@link UserMetadata#normalise})
     */
    Outcome put(String key, byte[] body, BodyDigest digest, Map<String, String> meta, Precondition condition,
                String contentType) {
        if (http.elsewhere() || body.length > MAX_BYTES) {
            return new NotHandled(false);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        headers.put("Content-MD5", digest.md5Base64());
        headers.put("x-amz-checksum-sha256", digest.sha256Base64());
        meta.forEach((name, value) -> headers.put("x-amz-meta-" + name, value));
        if (condition.ifMatch() != null) {
            headers.put("If-Match", condition.ifMatch());
        }
        if (condition.ifNoneMatchAny()) {
            headers.put("If-None-Match", "*");
        }
        HttpURLConnection connection = null;
        try {
            connection = http.put(http.uri(key), headers, body);
            int status = connection.getResponseCode();
            // The error's code and message are read before SignedHttp#status drains the rest.
            String error = status == 400 ? errorText(connection) : "";
            status = http.status(connection);
            if (status == 400 && !http.elsewhere()) {
                String code = element(error, "Code");
                if (S3Store.isDigestRefusal(code, element(error, "Message"))) {
                    return new DigestRefused(code);
                }
            }
            if (status == 200) {
                SignedHttp.drain(connection.getInputStream());
                String etag = connection.getHeaderField("ETag");
                Instant date = SignedHttp.date(connection.getHeaderField("Date"));
                ObjectInfo answered = new ObjectInfo(key, etag, -1, date, meta,
                        SignedHttp.contentMd5(connection, etag),
                        Etags.sha256HexOf(connection.getHeaderField("x-amz-checksum-sha256")));
                return new Answered(answered, date != null);
            }
            if (status == 412 && condition.isConditional()) {
                return new Refused();
            }
            if (status < 400) {
                connection.disconnect();
            }
            // A 4xx refused the write; a 5xx may come from something in front of a store that took it.
            return new NotHandled(status >= 500);
        } catch (IOException | RuntimeException e) {
            // Unreachable, a connection closed under the request, an odd answer: the client will say what it was.
            if (connection != null) {
                connection.disconnect();
            }
            return new NotHandled(true);
        }
    }

    /** The start of an error answer's body (bounded: it comes from the server). */
    private static String errorText(HttpURLConnection connection) throws IOException {
        InputStream body = connection.getErrorStream();
        return body == null ? "" : new String(body.readNBytes(16 * 1024), StandardCharsets.UTF_8);
    }

    /** The text of {@code <name>} in an S3 error document, or empty. */
    private static String element(String xml, String name) {
        Matcher found = Pattern.compile("<" + name + ">([^<]{0,1024})</" + name + ">").matcher(xml);
        return found.find() ? found.group(1).trim() : "";
    }
}
