package dev.npc.store;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How to reach a store beyond its URL.
 *
 * @param endpointUrl an S3-compatible endpoint (path-style access is used with it); null = AWS, or
 *                    {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL} from the environment
 * @param region      null = the SDK's default region chain (falling back to us-east-1)
 * @param credentials null = the SDK's default credential chain (env, profiles, SSO, instance profile)
 * @param socketTimeout how long a read may wait for the next byte before the request fails and is
 *                      retried; null = 60 s. Fault tests shorten it to see stalls end quickly.
 */
public record StoreOptions(String endpointUrl, String region, AwsCredentialsProvider credentials,
                           java.time.Duration socketTimeout) {
    public static final StoreOptions DEFAULT = new StoreOptions(null, null, null);

    public StoreOptions(String endpointUrl, String region, AwsCredentialsProvider credentials) {
        this(endpointUrl, region, credentials, null);
    }
}
