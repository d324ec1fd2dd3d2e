package dev.npc.store;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A store in an S3 bucket under a prefix, through the AWS SDK v2 (URL-connection HTTP client,
 * standard retries). Reads are conditional ({@code If-None-Match}: a 304 transfers no body),
 * writes and copies can be ({@code If-Match}, {@code If-None-Match: *}, {@code x-amz-copy-source-if-match}),
 * bodies are streamed both ways, and every SDK failure becomes a one-line {@link StoreException}.
 */
public final class S3Store implements Store {
    /** S3's own page size; smaller values only exist to test paging. */
    static final int MAX_PAGE = 1000;
    private static final int RETRY_BUFFER = 1 << 16;

    private final S3Client client;
    private final StoreLocation.S3 location;
    private final S3Failures failures;
    private final int pageSize;

    /** Opens a store with a client built from {@code options} and the environment. */
    public S3Store(StoreLocation.S3 location, StoreOptions options) {
        this(location, S3Connection.of(options), MAX_PAGE);
    }

    S3Store(StoreLocation.S3 location, S3Connection connection, int pageSize) {
        this(location, connection.newClient(), connection.describeEndpoint(), connection.endpoint().isPresent(), pageSize);
    }

    S3Store(StoreLocation.S3 location, S3Client client, String endpoint, boolean customEndpoint, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1-" + MAX_PAGE + ": " + pageSize);
        }
        this.location = location;
        this.client = client;
        this.failures = new S3Failures(location.bucket(), endpoint, customEndpoint);
        this.pageSize = pageSize;
    }

    @Override
    public String url() {
        return location.url();
    }

    @Override
    public GetResult get(String key, String ifNoneMatch) throws IOException {
        StoreKeys.check(key);
        GetObjectRequest request = GetObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).ifNoneMatch(ifNoneMatch).build();
        try {
            ResponseInputStream<GetObjectResponse> body = client.getObject(request);
            GetObjectResponse response = body.response();
            ObjectInfo info = new ObjectInfo(key, response.eTag(), sizeOf(response.contentLength()),
                    response.lastModified(), lowerCase(response.metadata()));
            return new GetResult.Found(info, body);
        } catch (S3Exception e) {
            if (e.statusCode() == 304) {
                return new GetResult.NotModified(ifNoneMatch);
            }
            if (isMissingKey(e)) {
                return new GetResult.Missing(key);
            }
            throw failures.describe(e, where(key), "s3:GetObject");
        } catch (SdkException e) {
            throw failures.describe(e, where(key), "s3:GetObject");
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        StoreKeys.check(key);
        HeadObjectRequest request = HeadObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).build();
        try {
            HeadObjectResponse response = client.headObject(request);
            return Optional.of(new ObjectInfo(key, response.eTag(), sizeOf(response.contentLength()),
                    response.lastModified(), lowerCase(response.metadata())));
        } catch (S3Exception e) {
            // A HEAD answer has no body, so a missing key and a missing bucket both arrive as a bare 404.
            if (e.statusCode() == 404 && !"NoSuchBucket".equals(S3Failures.code(e))) {
                return Optional.empty();
            }
            throw failures.describe(e, where(key), "s3:GetObject");
        } catch (SdkException e) {
            throw failures.describe(e, where(key), "s3:GetObject");
        }
    }

    /**
     * Streams the body with the precondition as S3 headers ({@code If-Match}, {@code If-None-Match: *}),
     * which S3 enforces atomically. A conditional write first checks the precondition with a HEAD:
     * a write that will be refused then costs no upload, and servers that refuse a PUT before
     * reading its body (S3Proxy does; the JDK's URL connection then reports a broken connection
     * instead of the 412) are only met in a true race, which {@link #settle} resolves by looking.
     * A conditional write whose answer was lost, or refused on a retry, counts as done when the
     * object then holds exactly these bytes and metadata: the outcome the caller asked for.
     */
    @Override
    public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        // The SDK rewinds with mark/reset to retry (up to 128 KiB back); a buffer gives any stream that much.
        InputStream rewindable = body.markSupported() ? body : new BufferedInputStream(body, RETRY_BUFFER);
        Md5Tee tee = new Md5Tee(rewindable, length);
        return put(key, RequestBody.fromInputStream(tee, length), length, metadata, precondition,
                () -> tee.etagIfComplete(length));
    }

    /**
     * A body that can be opened again is read afresh for every attempt, so a retry after a
     * failure in the middle of a large archive works (a stream can only be rewound 128 KiB).
     */
    @Override
    public ObjectInfo put(String key, Body body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        AtomicReference<Md5Tee> lastAttempt = new AtomicReference<>();
        RequestBody request = RequestBody.fromContentProvider(() -> {
            try {
                Md5Tee tee = new Md5Tee(body.open(), length);
                lastAttempt.set(tee);
                return tee;
            } catch (IOException e) {
                throw new BodyUnreadable(e);
            }
        }, length, "application/octet-stream");
        return put(key, request, length, metadata, precondition, () -> {
            Md5Tee tee = lastAttempt.get();
            return tee == null ? null : tee.etagIfComplete(length);
        });
    }

    /** The caller's body could not be opened: not a network failure, so not retried or settled. */
    private static final class BodyUnreadable extends UncheckedIOException {
        BodyUnreadable(IOException cause) {
            super(cause);
        }
    }

    /** @param ourEtag the body's ETag once it was read completely, else null */
    private ObjectInfo put(String key, RequestBody body, long length, Map<String, String> metadata,
                           Precondition precondition, Supplier<String> ourEtag) throws IOException {
        StoreKeys.check(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + where(key) + " must not be negative: " + length);
        }
        Map<String, String> meta = UserMetadata.normalise(metadata, where(key));
        Precondition condition = precondition == null ? Precondition.NONE : precondition;
        boolean conditional = condition.ifMatch() != null || condition.ifNoneMatchAny();
        if (conditional) {
            check(condition, head(key).orElse(null), key);
        }
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).contentLength(length).metadata(meta);
        if (condition.ifMatch() != null) {
            request.ifMatch(condition.ifMatch());
        }
        if (condition.ifNoneMatchAny()) {
            request.ifNoneMatch("*");
        }
        try {
            PutObjectResponse response = client.putObject(request.build(), body);
            Instant written = serverDate(response.sdkHttpResponse());
            if (written == null) {
                return head(key).orElseThrow(() -> new StoreException("S3 accepted " + where(key)
                        + " but does not show it; check the endpoint's consistency"));
            }
            return new ObjectInfo(key, response.eTag(), length, written, meta);
        } catch (S3Exception e) {
            boolean refused = e.statusCode() == 412
                    || e.statusCode() == 409 && "ConditionalRequestConflict".equals(S3Failures.code(e))
                    || condition.ifMatch() != null && isMissingKey(e);
            if (conditional && refused) {
                // After a retry, the refusal can be of the write that landed on the first attempt.
                ObjectInfo landed = landed(key, ourEtag.get(), meta);
                if (landed != null) {
                    return landed;
                }
                throw notWritten(key, condition);
            }
            throw failures.describe(e, where(key), "s3:PutObject");
        } catch (BodyUnreadable e) {
            throw new StoreException("cannot read the body of " + where(key) + ": " + e.getCause().getMessage()
                    + "; nothing was written", e.getCause());
        } catch (SdkClientException | UncheckedIOException | IllegalStateException e) {
            if (isShortBody(e)) {
                throw new StoreException("cannot write " + where(key) + ": the body ended before its " + length
                        + " bytes; nothing was written", e);
            }
            StoreException failure = e instanceof SdkClientException client
                    ? failures.describe(client, where(key), "s3:PutObject")
                    : new StoreException("cannot write " + where(key) + ": the upload failed and its body cannot be "
                    + "read again for a retry (" + S3Failures.oneLine(e.getMessage()) + "); run the command again", e);
            if (conditional) {
                return settle(key, condition, ourEtag.get(), meta, failure);
            }
            throw failure;
        } catch (SdkException e) {
            throw failures.describe(e, where(key), "s3:PutObject");
        }
    }

    /**
     * A conditional PUT whose answer was lost: the object itself tells whether this write landed
     * (it has this body's ETag), lost the race (the precondition no longer holds), or neither.
     */
    private ObjectInfo settle(String key, Precondition condition, String ourEtag, Map<String, String> meta,
                              StoreException failure) throws IOException {
        ObjectInfo landed = landed(key, ourEtag, meta);
        if (landed != null) {
            return landed;
        }
        check(condition, head(key).orElse(null), key);
        throw failure;
    }

    /** The object when it holds exactly these bytes and metadata, else null. */
    private ObjectInfo landed(String key, String ourEtag, Map<String, String> meta) throws IOException {
        if (ourEtag == null) {
            return null;
        }
        ObjectInfo now = head(key).orElse(null);
        return now != null && Etags.same(now.etag(), ourEtag) && now.metadata().equals(meta) ? now : null;
    }

    private void check(Precondition condition, ObjectInfo current, String key) throws PreconditionFailedException {
        if (condition.ifNoneMatchAny() && current != null) {
            throw notWritten(key, condition);
        }
        if (condition.ifMatch() != null && (current == null || !Etags.same(condition.ifMatch(), current.etag()))) {
            throw notWritten(key, condition);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        String checked = StoreKeys.checkPrefix(prefix);
        String fullPrefix = location.prefix().isEmpty() ? checked : location.prefix() + "/" + checked;
        int strip = location.prefix().isEmpty() ? 0 : location.prefix().length() + 1;
        List<ObjectInfo> result = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder()
                        .bucket(location.bucket()).prefix(fullPrefix).maxKeys(pageSize)
                        .continuationToken(token).build());
                for (S3Object object : page.contents()) {
                    String key = object.key().substring(strip);
                    if (isValidKey(key)) {
                        result.add(new ObjectInfo(key, object.eTag(), sizeOf(object.size()), object.lastModified(), Map.of()));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw failures.describe(e, where(checked), "s3:ListBucket");
        }
        result.sort(Comparator.comparing(ObjectInfo::key));
        return result;
    }

    /** The grouping is done by S3 (delimiter '/'), so a host's history is not listed to find the host. */
    @Override
    public List<String> listChildren(String prefix) throws IOException {
        String checked = StoreKeys.checkPrefix(prefix);
        String fullPrefix = location.prefix().isEmpty() ? checked : location.prefix() + "/" + checked;
        List<String> names = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Response page = client.listObjectsV2(ListObjectsV2Request.builder()
                        .bucket(location.bucket()).prefix(fullPrefix).delimiter("/").maxKeys(pageSize)
                        .continuationToken(token).build());
                for (CommonPrefix common : page.commonPrefixes()) {
                    String name = common.prefix().substring(fullPrefix.length(), common.prefix().length() - 1);
                    if (!name.isEmpty() && !name.contains("/") && isValidKey(name)) {
                        names.add(name);
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw failures.describe(e, where(checked), "s3:ListBucket");
        }
        return names.stream().sorted().distinct().toList();
    }

    /**
     * Heads the source first: the copy is then made only if the source still has that ETag, so
     * the size and metadata returned are exactly those of the bytes copied. When the caller set no
     * condition and the source changes in between, the copy is retried with the new version.
     */
    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException {
        return copy(fromKey, toKey, sourceIfMatch, null);
    }

    /** Server side; with {@code metadata} the copy replaces the source's user metadata (REPLACE directive). */
    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch, Map<String, String> metadata)
            throws IOException {
        StoreKeys.check(fromKey);
        StoreKeys.check(toKey);
        Map<String, String> replaced = metadata == null ? null : UserMetadata.normalise(metadata, where(toKey));
        for (int attempt = 1; attempt <= 3; attempt++) {
            ObjectInfo source = head(fromKey).orElseThrow(() ->
                    new NoSuchKeyException("cannot copy " + where(fromKey) + ": it does not exist"));
            if (sourceIfMatch != null && !Etags.same(sourceIfMatch, source.etag())) {
                throw sourceChanged(fromKey, toKey, source.etag(), sourceIfMatch);
            }
            CopyObjectRequest request = CopyObjectRequest.builder()
                    .sourceBucket(location.bucket()).sourceKey(location.fullKey(fromKey))
                    .destinationBucket(location.bucket()).destinationKey(location.fullKey(toKey))
                    .metadataDirective(metadata == null ? MetadataDirective.COPY : MetadataDirective.REPLACE)
                    .metadata(replaced)
                    .copySourceIfMatch(source.etag())
                    .build();
            try {
                CopyObjectResponse response = client.copyObject(request);
                String etag = response.copyObjectResult().eTag();
                Instant written = response.copyObjectResult().lastModified();
                return new ObjectInfo(toKey, etag == null ? source.etag() : etag, source.size(), written,
                        replaced == null ? source.metadata() : replaced);
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    if (sourceIfMatch != null) {
                        throw sourceChanged(fromKey, toKey, "(changed)", sourceIfMatch);
                    }
                    continue;
                }
                if (isMissingKey(e)) {
                    throw new NoSuchKeyException("cannot copy " + where(fromKey) + ": it does not exist");
                }
                throw failures.describe(e, where(toKey), "s3:GetObject on " + where(fromKey) + " and s3:PutObject");
            } catch (SdkException e) {
                throw failures.describe(e, where(toKey), "s3:GetObject on " + where(fromKey) + " and s3:PutObject");
            }
        }
        throw new StoreException("cannot copy " + where(fromKey) + " to " + toKey
                + ": it kept changing during the copy; retry when writes to it have stopped");
    }

    @Override
    public void delete(String key) throws IOException {
        StoreKeys.check(key);
        try {
            client.deleteObject(b -> b.bucket(location.bucket()).key(location.fullKey(key)));
        } catch (S3Exception e) {
            if (!isMissingKey(e)) {
                throw failures.describe(e, where(key), "s3:DeleteObject");
            }
        } catch (SdkException e) {
            throw failures.describe(e, where(key), "s3:DeleteObject");
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private PreconditionFailedException notWritten(String key, Precondition condition) {
        if (condition.ifNoneMatchAny()) {
            return new PreconditionFailedException("not written: " + where(key)
                    + " already exists; read it and decide whether to replace it");
        }
        return new PreconditionFailedException("not written: " + where(key) + " changed or is gone (expected ETag "
                + condition.ifMatch() + "); read it again and retry");
    }

    private PreconditionFailedException sourceChanged(String fromKey, String toKey, String current, String expected) {
        return new PreconditionFailedException("cannot copy " + where(fromKey) + " to " + toKey + ": it changed (ETag "
                + current + ", expected " + expected + "); inspect it again and retry");
    }

    private String where(String key) {
        return location.url() + "/" + key;
    }

    /** Some S3-compatible servers stream without a Content-Length; -1 says "unknown" rather than failing. */
    private static long sizeOf(Long contentLength) {
        return contentLength == null ? -1 : contentLength;
    }

    private static boolean isShortBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Md5Tee.ShortBodyException
                    || t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("fewer bytes")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isMissingKey(S3Exception e) {
        String code = S3Failures.code(e);
        return e.statusCode() == 404 && !"NoSuchBucket".equals(code);
    }

    private static boolean isValidKey(String key) {
        try {
            StoreKeys.check(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The server's Date header: when the write happened by the store's clock, without asking again. */
    private static Instant serverDate(SdkHttpResponse response) {
        Optional<String> date = response.firstMatchingHeader("Date");
        if (date.isEmpty()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Map<String, String> lowerCase(Map<String, String> metadata) {
        Map<String, String> result = new TreeMap<>();
        metadata.forEach((name, value) -> result.put(name.toLowerCase(Locale.ROOT), value));
        return result;
    }
}
