package dev.npc.store;

import software.amazon.awssdk.http.SdkHttpMethod;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Listings and small documents read with {@link SignedHttp}, without the S3 client: for a fleet
 * read, where the client's request path (about 0.5 ms of CPU per request) and its DOM of every
 * listing page were most of the time, and for the daemon's unchanged poll, where it was most of
 * the CPU and its classes most of the memory. It only answers what it is sure of: a 200 it could
 * read in full, a 304, "still this ETag" or "another ETag". Anything else (another status, a page
 * that is not a listing, a value past its bound, an I/O failure) returns null (or "cannot tell"),
 * and the caller goes through the client as before, which retries, and reports errors as it
 * always did.
 */
final class SignedReads {
    /** 1,000 entries of at most 3 KiB of key each and their other fields: a bigger page is not S3's. */
    static final int MAX_PAGE_BYTES = 8 << 20;
    /** The longest ETag taken from an answer: S3's are 34 characters, or a few more for a multipart one. */
    static final int MAX_ETAG_CHARS = 1024;

    private final SignedHttp http;

    SignedReads(SignedHttp http) {
        this.http = http;
    }

    /**
     * What a signed HEAD says of the object under {@code key} and ETag {@code etag}: a 200 with
     * exactly that ETag is unchanged, a 200 with another usable one changed, and anything else
     * cannot tell (a 404 too: a HEAD's bare 404 does not tell a missing key from a missing bucket).
     * The caller then goes through the client, which reports, retries and reads the bytes through
     * the verified path. Nothing seen here is used as content.
     */
    EtagProbe probe(String key, String etag) {
        if (http.elsewhere()) {
            return EtagProbe.CANNOT_TELL;
        }
        try {
            KeptConnection.Answer answer = http.head(http.uri(key), Map.of());
            String current = answer.header("ETag");
            if (answer.status() != 200 || !usable(current)) {
                return EtagProbe.CANNOT_TELL;
            }
            return etag.equals(current) ? EtagProbe.UNCHANGED : EtagProbe.CHANGED;
        } catch (IOException | RuntimeException e) {
            // Unreachable, unsigned credentials, anything odd: the client will say what it was.
            return EtagProbe.CANNOT_TELL;
        }
    }

    /**
     * Every object under {@code fullPrefix} after {@code startAfter} up to {@code through}, page
     * by page, as {@link S3Store#list(String, String, String)} returns them; null: ask the client.
     *
     * @param strip how many characters of a full key are the store's prefix and its slash
     */
    List<ObjectInfo> list(String fullPrefix, int strip, String startAfter, String through, int pageSize) {
        if (http.elsewhere()) {
            return null;
        }
        List<ObjectInfo> result = new ArrayList<>();
        String token = null;
        String last = startAfter;
        while (true) {
            ListingXml.Page page;
            HttpURLConnection connection = null;
            try {
                connection = http.open(SdkHttpMethod.GET, http.listUri(fullPrefix, startAfter, token, pageSize), Map.of());
                byte[] body = body(connection, MAX_PAGE_BYTES);
                if (body == null) {
                    return null;
                }
                page = ListingXml.parse(body, pageSize);
            } catch (IOException | RuntimeException e) {
                if (connection != null) {
                    connection.disconnect();
                }
                return null;
            }
            for (ListingXml.Entry entry : page.entries()) {
                // Sorted, after the last, under the prefix: else the page is not an answer to the request.
                if (!entry.key().startsWith(fullPrefix) || last != null && entry.key().compareTo(last) <= 0) {
                    return null;
                }
                last = entry.key();
                String key = entry.key().substring(strip);
                if (through != null && key.compareTo(through) > 0) {
                    return sorted(result);
                }
                if (StoreKeys.isValid(key)) {
                    result.add(new ObjectInfo(key, entry.etag(), entry.size(), entry.lastModified(), Map.of()));
                }
            }
            if (!page.truncated()) {
                return sorted(result);
            }
            if (page.entries().isEmpty() || page.nextToken().equals(token)) {
                return null; // a page that does not move on would be asked for forever
            }
            token = page.nextToken();
        }
    }

    /**
     * A small object read whole: at most {@code maxBytes} + 1 of its bytes (so the caller sees it
     * was longer), with its ETag (not its time or metadata), unless the ETag is still
     * {@code ifNoneMatch}; null: ask the client. The body is checked as every found body is
     * ({@link GetResult.Found}): the caller's read of bytes that are not what the answer declared fails.
     */
    GetResult get(String key, String ifNoneMatch, int maxBytes) {
        if (http.elsewhere()) {
            return null;
        }
        HttpURLConnection connection = null;
        try {
            connection = http.open(SdkHttpMethod.GET, http.uri(key),
                    ifNoneMatch == null ? Map.of() : Map.of("If-None-Match", ifNoneMatch));
            int status = http.status(connection);
            if (status == 304 && ifNoneMatch != null) {
                SignedHttp.drain(connection.getInputStream());
                return new GetResult.NotModified(ifNoneMatch);
            }
            String etag = connection.getHeaderField("ETag");
            if (status != 200 || !usable(etag)) {
                if (status < 400) {
                    connection.disconnect();
                }
                return null;
            }
            byte[] bytes;
            try (InputStream in = connection.getInputStream()) {
                bytes = in.readNBytes(maxBytes + 1);
                if (bytes.length > maxBytes) {
                    // Not read to its end: this connection cannot serve another request.
                    connection.disconnect();
                }
            }
            // No time, no metadata (Store#getSmall): parsing them was a third of this request's CPU.
            // The declared length and the MD5 the ETag stands for are what the body is checked
            // against (GetResult.Found); a body cut here at the caller's bound is not the object's,
            // so it comes with neither.
            boolean whole = bytes.length <= maxBytes;
            ObjectInfo info = new ObjectInfo(key, etag, whole ? connection.getContentLengthLong() : -1, null, Map.of(),
                    whole ? SignedHttp.contentMd5(connection, etag) : null, null);
            return new GetResult.Found(info, new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.disconnect();
            }
            return null;
        }
    }

    /**
     * The object's ETag, size, metadata and the digests it vouches for, as {@link S3Store#head}
     * returns them (with the checksum the server checked at the write); null: ask the client,
     * also when it is missing (a HEAD's 404 does not tell a missing key from a missing bucket).
     */
    ObjectInfo head(String key) {
        if (http.elsewhere()) {
            return null;
        }
        try {
            KeptConnection.Answer answer = http.head(http.uri(key), Map.of("x-amz-checksum-mode", "ENABLED"));
            String etag = answer.header("ETag");
            if (answer.status() != 200 || !usable(etag)) {
                return null;
            }
            String length = answer.header("Content-Length");
            return new ObjectInfo(key, etag, length == null ? -1 : Long.parseLong(length),
                    SignedHttp.date(answer.header("Last-Modified")), metadata(answer), SignedHttp.contentMd5(answer::header, etag),
                    "COMPOSITE".equals(answer.header("x-amz-checksum-type")) ? null
                            : Etags.sha256HexOf(answer.header("x-amz-checksum-sha256")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A 200's body, whole, when it is at most {@code max} bytes; null for any other answer. */
    private byte[] body(HttpURLConnection connection, int max) throws IOException {
        int status = http.status(connection);
        if (status != 200) {
            if (status < 400) {
                connection.disconnect();
            }
            return null;
        }
        try (InputStream in = connection.getInputStream()) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                connection.disconnect();
                return null;
            }
            return bytes;
        }
    }

    private static List<ObjectInfo> sorted(List<ObjectInfo> result) {
        result.sort(Comparator.comparing(ObjectInfo::key));
        return result;
    }

    /** The user metadata of an answer (its header names are in lower case). */
    private static Map<String, String> metadata(KeptConnection.Answer answer) {
        Map<String, String> metadata = new HashMap<>();
        answer.headers().forEach((name, value) -> {
            if (name.startsWith("x-amz-meta-")) {
                metadata.put(name.substring("x-amz-meta-".length()), value);
            }
        });
        return metadata;
    }

    /** An ETag as S3 sends one: present, and bounded (it is kept and compared, and comes from the server). */
    private static boolean usable(String etag) {
        return etag != null && !etag.isEmpty() && etag.length() <= MAX_ETAG_CHARS;
    }
}
