package dev.npc.store;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * How npc talks to S3: which endpoint, region and credentials, decided once from
 * {@link StoreOptions} and the environment, and the one way to build an {@link S3Client} from them.
 *
 * @param endpoint    a custom S3-compatible endpoint, or empty for AWS itself
 * @param region      the signing region
 * @param credentials where credentials come from
 * @param socketTimeout how long a read may stall before the request fails (and is retried)
 */
public record S3Connection(Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials,
                           Duration socketTimeout) {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    /** The region AWS tools assume when nothing names one; buckets elsewhere are reached by redirect. */
    static final Region FALLBACK_REGION = Region.US_EAST_1;

    public static S3Connection of(StoreOptions options) {
        return of(options, System::getenv);
    }

    static S3Connection of(StoreOptions options, Function<String, String> env) {
        StoreOptions opts = options == null ? StoreOptions.DEFAULT : options;
        Optional<URI> endpoint = endpoint(opts, env);
        Region region = blank(opts.region()) ? defaultRegion(endpoint.isPresent()) : Region.of(opts.region().trim());
        AwsCredentialsProvider credentials = opts.credentials() != null
                ? opts.credentials() : DefaultCredentialsProvider.builder().build();
        return new S3Connection(endpoint, region, credentials,
                opts.socketTimeout() == null ? SOCKET_TIMEOUT : opts.socketTimeout());
    }

    public S3Connection(Optional<URI> endpoint, Region region, AwsCredentialsProvider credentials) {
        this(endpoint, region, credentials, SOCKET_TIMEOUT);
    }

    /**
     * The endpoint to use, by precedence: the explicit option, then {@code AWS_ENDPOINT_URL_S3},
     * then {@code AWS_ENDPOINT_URL} (the AWS CLI's and SDKs' own variables, so one setting serves
     * both), unless {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}.
     *
     * @throws IllegalArgumentException when the chosen value is not an http(s) URL, naming where it came from
     */
    static Optional<URI> endpoint(StoreOptions options, Function<String, String> env) {
        if (!blank(options.endpointUrl())) {
            return Optional.of(parseEndpoint(options.endpointUrl(), "--endpoint-url"));
        }
        if ("true".equalsIgnoreCase(trimmed(env.apply("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))) {
            return Optional.empty();
        }
        for (String variable : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            String value = env.apply(variable);
            if (!blank(value)) {
                return Optional.of(parseEndpoint(value, variable));
            }
        }
        return Optional.empty();
    }

    private static URI parseEndpoint(String value, String source) {
        String trimmed = value.trim();
        try {
            URI uri = new URI(trimmed);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (http && uri.getHost() != null && uri.getQuery() == null && uri.getFragment() == null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("endpoint URL '" + trimmed + "' from " + source
                + " is not valid; use http(s)://host[:port], e.g. http://127.0.0.1:9000");
    }

    /**
     * The SDK's region chain (environment, profile, EC2 instance metadata), else us-east-1. For a
     * custom endpoint the instance-metadata step is skipped: it only names an AWS region, and off
     * EC2 it costs about a second of timeouts before the fallback.
     */
    private static Region defaultRegion(boolean customEndpoint) {
        AwsRegionProvider chain = customEndpoint
                ? new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                : new DefaultAwsRegionProviderChain();
        try {
            return chain.getRegion();
        } catch (SdkClientException e) {
            return FALLBACK_REGION;
        }
    }

    /** The endpoint as people name it in messages. */
    public String describeEndpoint() {
        return endpoint.map(URI::toString).orElse("https://s3." + region.id() + ".amazonaws.com");
    }

    public S3Client newClient() {
        return newClient(endpoint.isPresent());
    }

    /**
     * @param checksumsOnlyWhenRequired true for S3-compatible servers, many of which reject the
     *                                  trailing checksums the SDK sends to AWS by default
     */
    S3Client newClient(boolean checksumsOnlyWhenRequired) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(new RetryableIoHttpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(socketTimeout)
                        .build()))
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .region(region)
                .credentialsProvider(credentials)
                // Over plain HTTP the SDK would otherwise sign uploads in aws-chunked frames, which
                // some servers store as the object's bytes (s3rver did); a whole-body signature
                // cannot be misread. Every PUT carries its checksums as headers, so no trailer needs it.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
        if (checksumsOnlyWhenRequired) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        if (endpoint.isPresent()) {
            // S3-compatible servers (MinIO, Garage, Ceph, S3Proxy) expect path-style URLs.
            builder.endpointOverride(endpoint.get()).forcePathStyle(true);
        } else {
            // A bucket in another region than the configured one is still reached.
            builder.crossRegionAccessEnabled(true);
        }
        return builder.build();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.trim();
    }
}
