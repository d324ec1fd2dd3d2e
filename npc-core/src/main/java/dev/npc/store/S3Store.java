package dev.npc.store;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A store in an S3 bucket under a prefix, through the AWS SDK v2 (URL-connection HTTP client,
 * standard retries). Reads are conditional ({@code If-None-Match}: a 304 transfers no body),
 * writes and copies can be ({@code If-Match}, {@code If-None-Match: *}, {@code x-amz-copy-source-if-match}),
 * bodies are streamed both ways, and every SDK failure becomes a one-line {@link StoreException}.
 *
 * <p>Every write is verified: each PUT carries {@code Content-MD5} and {@code x-amz-checksum-sha256}
 * of the body, which the server must check (S3 refuses a mismatch with BadDigest), and the answer
 * (ETag when it is an MD5, returned checksum; a HEAD when the answer vouches for neither) must
 * agree with what was sent. Small bodies (a host's state, a history record) go as one signed PUT
 * without the client ({@link SignedPut}), verified the same way; any answer but 200, 412 or a
 * refusal of the digests there sends the write through the client. Every copy's result must be the version of the source that was
 * checked. A disagreement is an {@link IntegrityException}. npc never uploads in parts: a single
 * PUT takes up to 5 GiB, far more than a packed flake.
 */
public final class S3Store implements Store {
    /** S3's own page size; smaller values only exist to test paging. */
    static final int MAX_PAGE = 1000;
    /** A one-shot stream up to this size is kept in memory to digest it before the upload; larger ones in a temporary file. */
    private static final int SPOOL_IN_MEMORY = 8 << 20;

    /** Built at the first request that needs it: a daemon whose polls the signed HEADs answer never does. */
    private final java.util.function.Supplier<S3Client> newClient;
    private S3Client client;
    /** Signed requests without the client, or null when only the client knows how to address the store. */
    private final SignedHttp http;
    /** Listings, HEADs and small documents without the client, where {@link SignedHttp} can address the store. */
    private final SignedReads reads;
    /** Small writes without the client, or null when only the client knows how to address the store. */
    private final SignedPut signedPut;
    private final StoreLocation.S3 location;
    private final S3Failures failures;
    private final int pageSize;

    /** Opens a store with a client built from {@code options} and the environment. */
    public S3Store(StoreLocation.S3 location, StoreOptions options) {
        this(location, S3Connection.of(options), MAX_PAGE);
    }

    S3Store(StoreLocation.S3 location, S3Connection connection, int pageSize) {
        this(location, connection::newClient, SignedHttp.of(location, connection).orElse(null),
                connection.describeEndpoint(), connection.endpoint().isPresent(), pageSize);
    }

    S3Store(StoreLocation.S3 location, S3Client client, String endpoint, boolean customEndpoint, int pageSize) {
        this(location, () -> client, null, endpoint, customEndpoint, pageSize);
        this.client = client;
    }

    private S3Store(StoreLocation.S3 location, java.util.function.Supplier<S3Client> newClient, SignedHttp http,
                    String endpoint, boolean customEndpoint, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("page size must be 1-" + MAX_PAGE + ": " + pageSize);
        }
        this.location = location;
        this.newClient = newClient;
        this.http = http;
        this.reads = http == null ? null : new SignedReads(http);
        this.signedPut = http == null ? null : new SignedPut(http);
        this.failures = new S3Failures(location.bucket(), endpoint, customEndpoint);
        this.pageSize = pageSize;
    }

    @Override
    public String url() {
        return location.url();
    }

    @Override
    public String identity() {
        return location.url() + " at " + failures.endpoint();
    }

    @Override
    public GetResult get(String key, String ifNoneMatch) throws IOException {
        StoreKeys.check(key);
        GetObjectRequest request = GetObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).ifNoneMatch(ifNoneMatch).build();
        try {
            ResponseInputStream<GetObjectResponse> body = client().getObject(request);
            GetObjectResponse response = body.response();
            ObjectInfo info = new ObjectInfo(key, response.eTag(), sizeOf(response.contentLength()),
                    response.lastModified(), lowerCase(response.metadata()),
                    Etags.contentMd5Of(response.eTag(), response.serverSideEncryptionAsString(), response.sseCustomerAlgorithm()),
                    fullObject(response.checksumSHA256(), response.checksumType()));
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

    /** Through {@link SignedReads} when it can answer, else {@link #get}: for the fleet read's many small documents. */
    @Override
    public GetResult getSmall(String key, String ifNoneMatch, int maxBytes) throws IOException {
        StoreKeys.check(key);
        GetResult signed = reads == null ? null : reads.get(key, ifNoneMatch, maxBytes);
        return signed != null ? signed : get(key, ifNoneMatch);
    }

    private synchronized S3Client client() {
        if (client == null) {
            client = newClient.get();
        }
        return client;
    }

    /** One signed HEAD outside the client: see {@link SignedReads#probe}. */
    @Override
    public EtagProbe probe(String key, String etag) {
        return reads == null || etag == null ? EtagProbe.CANNOT_TELL : reads.probe(key, etag);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        StoreKeys.check(key);
        // Checksum mode asks for the x-amz-checksum-sha256 the server checked at the write.
        ObjectInfo signed = reads == null ? null : reads.head(key);
        if (signed != null) {
            return Optional.of(signed);
        }
        HeadObjectRequest request = HeadObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).checksumMode(ChecksumMode.ENABLED).build();
        try {
            HeadObjectResponse response = client().headObject(request);
            return Optional.of(new ObjectInfo(key, response.eTag(), sizeOf(response.contentLength()),
                    response.lastModified(), lowerCase(response.metadata()),
                    Etags.contentMd5Of(response.eTag(), response.serverSideEncryptionAsString(), response.sseCustomerAlgorithm()),
                    fullObject(response.checksumSHA256(), response.checksumType())));
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
     * Sends the body with the precondition as S3 headers ({@code If-Match}, {@code If-None-Match: *}),
     * which S3 enforces atomically. A conditional write first checks the precondition with a HEAD:
     * a write that will be refused then costs no upload, and servers that refuse a PUT before
     * reading its body (S3Proxy does; the JDK's URL connection then reports a broken connection
     * instead of the 412) are only met in a true race, which {@link #settle} resolves by looking.
     * A conditional write whose answer was lost, or refused on a retry, counts as done when the
     * object then holds exactly these bytes and metadata: the outcome the caller asked for.
     *
     * <p>A one-shot stream is kept first (in memory, or a temporary file when large): its digests
     * must be known before the request starts, and a kept body can be sent again on a retry.
     */
    @Override
    public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        StoreKeys.check(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + where(key) + " must not be negative: " + length);
        }
        if (length <= SPOOL_IN_MEMORY) {
            byte[] bytes = body.readNBytes((int) length);
            if (bytes.length < length) {
                throw shortBody(key, bytes.length, length);
            }
            return put(key, () -> new ByteArrayInputStream(bytes), length, metadata, precondition);
        }
        java.nio.file.Path spool = java.nio.file.Files.createTempFile("npc-upload-", ".tmp");
        try {
            long copied;
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(spool)) {
                copied = body.transferTo(out);
            }
            if (copied < length) {
                throw shortBody(key, copied, length);
            }
            return put(key, Body.of(spool), length, metadata, precondition);
        } finally {
            java.nio.file.Files.deleteIfExists(spool);
        }
    }

    @Override
    public ObjectInfo put(String key, byte[] body, Map<String, String> metadata) throws IOException {
        return put(key, () -> new ByteArrayInputStream(body), body.length, metadata, Precondition.NONE);
    }

    /**
     * The body is read once for its digests, then afresh for every attempt, so a retry after a
     * failure in the middle of a large archive works.
     */
    @Override
    public ObjectInfo put(String key, Body body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        StoreKeys.check(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + where(key) + " must not be negative: " + length);
        }
        BodyDigest digest;
        try {
            digest = BodyDigest.of(body);
        } catch (IOException e) {
            throw new StoreException("cannot read the body of " + where(key) + ": " + e.getMessage()
                    + "; nothing was written", e);
        }
        if (digest.size() != length) {
            throw digest.size() < length ? shortBody(key, digest.size(), length)
                    : new StoreException("cannot write " + where(key) + ": the body has " + digest.size()
                    + " bytes, not the " + length + " announced; nothing was written");
        }
        return put(key, body, digest, metadata, precondition);
    }

    /** The caller's digest is sent as is: the server checks the body against it. */
    @Override
    public ObjectInfo put(String key, Body body, BodyDigest digest, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        return put(key, body, digest, metadata, precondition, "application/octet-stream");
    }

    @Override
    public ObjectInfo put(String key, byte[] body, Map<String, String> metadata, String contentType)
            throws IOException {
        Body bytes = () -> new ByteArrayInputStream(body);
        return put(key, bytes, BodyDigest.of(body), metadata, Precondition.NONE, contentType);
    }

    private ObjectInfo put(String key, Body body, BodyDigest digest, Map<String, String> metadata,
                           Precondition precondition, String contentType) throws IOException {
        StoreKeys.check(key);
        long length = digest.size();
        if (signedPut != null && length <= SignedPut.MAX_BYTES) {
            ObjectInfo written = putSigned(key, body, digest, metadata, precondition, contentType);
            if (written != null) {
                return written;
            }
        }
        RequestBody request = RequestBody.fromContentProvider(() -> {
            try {
                // Counts what each attempt sends: a body that shrank since it was digested fails here.
                return new FullLengthInputStream(body.open(), length);
            } catch (IOException e) {
                throw new BodyUnreadable(e);
            }
        }, length, contentType);
        return put(key, request, length, metadata, precondition, digest);
    }

    /**
     * A small write as one signed PUT ({@link SignedPut}); null when the client must make it. A
     * conditional write that may have reached the server is first looked for (as the client's
     * {@link #settle} does), so the client's attempt does not mistake it for someone else's.
     */
    private ObjectInfo putSigned(String key, Body body, BodyDigest digest, Map<String, String> metadata,
                                 Precondition precondition, String contentType) throws IOException {
        Map<String, String> meta = UserMetadata.normalise(metadata, where(key));
        Precondition condition = precondition == null ? Precondition.NONE : precondition;
        byte[] bytes;
        try (InputStream in = body.open()) {
            bytes = in.readNBytes((int) digest.size());
        } catch (IOException e) {
            throw new StoreException("cannot read the body of " + where(key) + ": " + e.getMessage()
                    + "; nothing was written", e);
        }
        if (bytes.length < digest.size()) {
            throw shortBody(key, bytes.length, digest.size());
        }
        SignedPut.Outcome outcome = signedPut.put(key, bytes, digest, meta, condition, contentType);
        if (outcome instanceof SignedPut.Answered answered) {
            return verifyWrite(key, answered.answered(), !answered.dated(), digest);
        }
        if (outcome instanceof SignedPut.Refused) {
            throw notWritten(key, condition);
        }
        if (outcome instanceof SignedPut.DigestRefused refused) {
            throw digestRefused(key, refused.code(), null);
        }
        boolean conditional = condition.isConditional();
        if (((SignedPut.NotHandled) outcome).maybeSent() && conditional) {
            return landed(key, digest, meta);
        }
        return null;
    }

    /** The caller's body could not be opened: not a network failure, so not retried or settled. */
    private static final class BodyUnreadable extends UncheckedIOException {
        BodyUnreadable(IOException cause) {
            super(cause);
        }
    }

    /** @param digest what the body is: sent for the server to check, and compared with its answer */
    private ObjectInfo put(String key, RequestBody body, long length, Map<String, String> metadata,
                           Precondition precondition, BodyDigest digest) throws IOException {
        Map<String, String> meta = UserMetadata.normalise(metadata, where(key));
        Precondition condition = precondition == null ? Precondition.NONE : precondition;
        boolean conditional = condition.isConditional();
        if (conditional) {
            check(condition, head(key).orElse(null), key);
        }
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(location.bucket()).key(location.fullKey(key)).contentLength(length).metadata(meta)
                .contentMD5(digest.md5Base64()).checksumSHA256(digest.sha256Base64());
        if (condition.ifMatch() != null) {
            request.ifMatch(condition.ifMatch());
        }
        if (condition.ifNoneMatchAny()) {
            request.ifNoneMatch("*");
        }
        try {
            PutObjectResponse response = client().putObject(request.build(), body);
            Instant written = serverDate(response.sdkHttpResponse());
            // The answer's size is unknown (-1): a PUT's answer does not say how much was stored.
            ObjectInfo answered = new ObjectInfo(key, response.eTag(), -1, written, meta,
                    Etags.contentMd5Of(response.eTag(), response.serverSideEncryptionAsString(), response.sseCustomerAlgorithm()),
                    Etags.sha256HexOf(response.checksumSHA256()));
            return verifyWrite(key, answered, written == null, digest);
        } catch (S3Exception e) {
            boolean refused = e.statusCode() == 412
                    || e.statusCode() == 409 && "ConditionalRequestConflict".equals(S3Failures.code(e))
                    || condition.ifMatch() != null && isMissingKey(e);
            if (conditional && refused) {
                // After a retry, the refusal can be of the write that landed on the first attempt.
                ObjectInfo landed = landed(key, digest, meta);
                if (landed != null) {
                    return landed;
                }
                throw notWritten(key, condition);
            }
            if (e.statusCode() == 400 && isDigestRefusal(S3Failures.code(e), e.getMessage())) {
                throw digestRefused(key, S3Failures.code(e), e);
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
                return settle(key, condition, digest, meta, failure);
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
    private ObjectInfo settle(String key, Precondition condition, BodyDigest digest, Map<String, String> meta,
                              StoreException failure) throws IOException {
        ObjectInfo landed = landed(key, digest, meta);
        if (landed != null) {
            return landed;
        }
        check(condition, head(key).orElse(null), key);
        throw failure;
    }

    /** The object when the store vouches that it holds exactly these bytes and metadata, else null. */
    private ObjectInfo landed(String key, BodyDigest digest, Map<String, String> meta) throws IOException {
        ObjectInfo now = head(key).orElse(null);
        return now != null && Boolean.TRUE.equals(now.holds(digest)) && now.metadata().equals(meta) ? now : null;
    }

    /**
     * Compares the server's answer to a PUT with what was sent. When the answer vouches for no
     * digest (SSE-KMS without a returned checksum) or gave no date, a HEAD asks again; when even
     * that vouches for nothing, its size is all that can be checked. The one check of every write's
     * answer, through the client or not; the result has the size sent when the answer had none.
     */
    private ObjectInfo verifyWrite(String key, ObjectInfo answered, boolean look, BodyDigest digest) throws IOException {
        Boolean holds = answered.holds(digest);
        ObjectInfo result = answered;
        if (Boolean.FALSE.equals(holds)) {
            throw notStoredAsSent(key, answered, digest);
        }
        if (holds == null || look) {
            ObjectInfo now = head(key).orElseThrow(() -> new IntegrityException("S3 at " + failures.endpoint()
                    + " accepted " + where(key) + " but does not show it; check the endpoint's consistency", key, null));
            Boolean seen = now.holds(digest);
            if (Boolean.FALSE.equals(seen) || seen == null && now.size() < 0) {
                throw notStoredAsSent(key, now, digest);
            }
            result = now;
        }
        return result.size() >= 0 ? result : new ObjectInfo(key, result.etag(), digest.size(), result.lastModified(),
                result.metadata(), result.md5(), result.sha256());
    }

    private IntegrityException notStoredAsSent(String key, ObjectInfo answered, BodyDigest digest) {
        return new IntegrityException("S3 at " + failures.endpoint() + " did not store what npc sent to " + where(key)
                + ": it answered " + answered.describeDigests() + " for a body with " + digest.describe()
                + "; the object there cannot be trusted (the server, or a proxy before it, changed the upload"
                + " or its answer)", key, answered);
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
        return list(prefix, null, null);
    }

    /**
     * S3 starts the listing after {@code startAfter} (keys are compared as S3 sorts them, by
     * UTF-8 bytes: the same order as Java's for the ASCII keys {@link StoreKeys} allows), and no
     * page is asked for once a key passes {@code through}.
     */
    @Override
    public List<ObjectInfo> list(String prefix, String startAfter, String through) throws IOException {
        String checked = StoreKeys.checkPrefix(prefix);
        String fullPrefix = location.prefix().isEmpty() ? checked : location.prefix() + "/" + checked;
        int strip = location.prefix().isEmpty() ? 0 : location.prefix().length() + 1;
        String fullStartAfter = startAfter == null ? null : location.fullKey(StoreKeys.check(startAfter));
        if (reads != null) {
            List<ObjectInfo> signed = reads.list(fullPrefix, strip, fullStartAfter, through, pageSize);
            if (signed != null) {
                return signed;
            }
        }
        // Only now: building the client's request loads its model classes, which a signed read never needs.
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                .bucket(location.bucket()).prefix(fullPrefix).maxKeys(pageSize).startAfter(fullStartAfter);
        List<ObjectInfo> result = new ArrayList<>();
        try {
            // The paginator requests the next page as the iteration reaches it; a failure on any page lands below.
            for (S3Object object : client().listObjectsV2Paginator(request.build()).contents()) {
                String key = object.key().substring(strip);
                if (through != null && key.compareTo(through) > 0) {
                    break;
                }
                if (StoreKeys.isValid(key)) {
                    result.add(new ObjectInfo(key, object.eTag(), sizeOf(object.size()), object.lastModified(), Map.of()));
                }
            }
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
        try {
            for (CommonPrefix common : client().listObjectsV2Paginator(ListObjectsV2Request.builder()
                    .bucket(location.bucket()).prefix(fullPrefix).delimiter("/").maxKeys(pageSize).build())
                    .commonPrefixes()) {
                String name = common.prefix().substring(fullPrefix.length(), common.prefix().length() - 1);
                if (!name.isEmpty() && !name.contains("/") && StoreKeys.isValid(name)) {
                    names.add(name);
                }
            }
        } catch (SdkException e) {
            throw failures.describe(e, where(checked), "s3:ListBucket");
        }
        return names.stream().sorted().distinct().toList();
    }

    /**
     * Heads the source first: the copy is then made only if the source still has that ETag, so
     * the size and metadata returned are exactly those of the bytes copied. When the caller set no
     * condition and the source changes in between, the copy is retried with the new version.
     * The result must be that version: a server that ignores {@code x-amz-copy-source-if-match}
     * and copies a newer one is caught by the result's ETag (or checksum, or a HEAD of the copy).
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
            CopyObjectResponse response;
            try {
                response = client().copyObject(request);
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
            String etag = response.copyObjectResult() == null ? null : response.copyObjectResult().eTag();
            Instant written = response.copyObjectResult() == null ? null : response.copyObjectResult().lastModified();
            Map<String, String> copiedMetadata = replaced == null ? source.metadata() : replaced;
            ObjectInfo answered = new ObjectInfo(toKey, etag, -1, written, copiedMetadata,
                    Etags.contentMd5Of(etag, response.serverSideEncryptionAsString(), response.sseCustomerAlgorithm()),
                    response.copyObjectResult() == null ? null
                            : Etags.sha256HexOf(response.copyObjectResult().checksumSHA256()));
            return verifyCopy(fromKey, toKey, source, answered, copiedMetadata);
        }
        throw new StoreException("cannot copy " + where(fromKey) + " to " + toKey
                + ": it kept changing during the copy; retry when writes to it have stopped");
    }

    /**
     * The copy must hold the bytes of the source version that was checked: same MD5-ETag, else
     * same checksum; when the answer vouches for neither (SSE-KMS), a HEAD of the copy is compared
     * by digest, else by size and metadata (which a copy carries along from the version it copied).
     */
    private ObjectInfo verifyCopy(String fromKey, String toKey, ObjectInfo source, ObjectInfo answered,
                                  Map<String, String> expectedMetadata) throws IOException {
        Boolean same = sameBytes(source, answered);
        ObjectInfo result = answered;
        if (same == null || answered.etag() == null) {
            ObjectInfo now = head(toKey).orElseThrow(() -> new IntegrityException("S3 at " + failures.endpoint()
                    + " accepted the copy of " + where(fromKey) + " to " + toKey + " but does not show it", toKey, null));
            same = sameBytes(source, now);
            if (same == null) {
                same = now.size() == source.size() && now.metadata().equals(expectedMetadata);
            }
            result = now;
        }
        if (same && result.size() < 0) {
            result = new ObjectInfo(toKey, result.etag(), source.size(), result.lastModified(), result.metadata(),
                    result.md5(), result.sha256());
        }
        if (!same) {
            throw new IntegrityException("S3 at " + failures.endpoint() + " copied other bytes to " + where(toKey)
                    + " than the version of " + where(fromKey) + " that was checked (" + source.describeDigests()
                    + "): it answered " + result.describeDigests() + "; the server ignored the copy condition"
                    + " (x-amz-copy-source-if-match) or changed the copy", toKey, result);
        }
        return result;
    }

    /** Whether two objects are known to hold the same bytes (TRUE/FALSE), or null when no digest compares. */
    private static Boolean sameBytes(ObjectInfo a, ObjectInfo b) {
        boolean compared = false;
        if (a.md5() != null && b.md5() != null) {
            if (!a.md5().equals(b.md5())) {
                return Boolean.FALSE;
            }
            compared = true;
        }
        if (a.sha256() != null && b.sha256() != null) {
            if (!a.sha256().equals(b.sha256())) {
                return Boolean.FALSE;
            }
            compared = true;
        }
        if (a.size() >= 0 && b.size() >= 0 && a.size() != b.size()) {
            return Boolean.FALSE;
        }
        return compared ? Boolean.TRUE : null;
    }

    @Override
    public void delete(String key) throws IOException {
        StoreKeys.check(key);
        try {
            client().deleteObject(b -> b.bucket(location.bucket()).key(location.fullKey(key)));
        } catch (S3Exception e) {
            if (!isMissingKey(e)) {
                throw failures.describe(e, where(key), "s3:DeleteObject");
            }
        } catch (SdkException e) {
            throw failures.describe(e, where(key), "s3:DeleteObject");
        }
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
        if (http != null) {
            http.close();
        }
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

    private StoreException shortBody(String key, long got, long length) {
        return new StoreException("cannot write " + where(key) + ": the body ended after " + got + " of " + length
                + " bytes; nothing was written");
    }

    /** A 400 for a body that does not match its Content-MD5 or checksum (some servers send no code). */
    static boolean isDigestRefusal(String code, String message) {
        return code.isEmpty() || code.equals("BadDigest") || code.equals("InvalidDigest")
                || code.startsWith("XAmzContent") || code.equals("InvalidRequest")
                && String.valueOf(message).toLowerCase(Locale.ROOT).contains("checksum");
    }

    private StoreException digestRefused(String key, String code, Exception cause) {
        return new StoreException("S3 at " + failures.endpoint() + " refused the upload of " + where(key)
                + ": the body it received does not match the Content-MD5 / x-amz-checksum-sha256 npc sent (HTTP 400"
                + (code.isEmpty() ? "" : " " + S3Failures.oneLine(code)) + "); something between npc"
                + " and the store changed it, or the file changed while it was sent. Nothing was written;"
                + " run the command again", cause);
    }

    /** A sha256 checksum that covers the whole object (not a multipart composite), as hex. */
    private static String fullObject(String base64, ChecksumType type) {
        return type == ChecksumType.COMPOSITE ? null : Etags.sha256HexOf(base64);
    }

    private static boolean isShortBody(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FullLengthInputStream.ShortBodyException
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

    /** The server's Date header: when the write happened by the store's clock, without asking again. */
    private static Instant serverDate(SdkHttpResponse response) {
        return SignedHttp.date(response.firstMatchingHeader("Date").orElse(null));
    }

    private static Map<String, String> lowerCase(Map<String, String> metadata) {
        Map<String, String> result = new TreeMap<>();
        metadata.forEach((name, value) -> result.put(name.toLowerCase(Locale.ROOT), value));
        return result;
    }
}
