package dev.npc.store;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/**
 * Turns what the AWS SDK throws into one line a person can act on: what was being done, to which
 * {@code s3://} URL, and the fix.
 */
final class S3Failures {
    private final String bucket;
    private final String endpoint;
    private final boolean customEndpoint;

    S3Failures(String bucket, String endpoint, boolean customEndpoint) {
        this.bucket = bucket;
        this.endpoint = endpoint;
        this.customEndpoint = customEndpoint;
    }

    /** The endpoint as messages name it. */
    String endpoint() {
        return endpoint;
    }

    /**
     * @param target    the s3:// URL of the object or prefix
     * @param operation the IAM action the request needs, e.g. "s3:PutObject"
     */
    StoreException describe(SdkException e, String target, String operation) {
        if (e instanceof S3Exception s3) {
            return describe(s3, target, operation);
        }
        if (e instanceof SdkClientException) {
            return describeClient((SdkClientException) e, target);
        }
        return new StoreException("S3 request for " + target + " failed: " + oneLine(e.getMessage()), e);
    }

    private StoreException describe(S3Exception e, String target, String operation) {
        String code = code(e);
        int status = e.statusCode();
        switch (code) {
            case "NoSuchBucket":
                return new StoreException("bucket '" + bucket + "' does not exist at " + endpoint
                        + ": create it (terraform module 'store') or fix the store URL", e);
            case "InvalidAccessKeyId":
                return new StoreException("S3 at " + endpoint + " does not know the access key in use (" + target
                        + "): check AWS_PROFILE / AWS_ACCESS_KEY_ID, or run 'aws sso login'", e);
            case "SignatureDoesNotMatch":
                return new StoreException("S3 at " + endpoint + " refused the request signature for " + target
                        + ": the secret key does not belong to the access key in use; check the credentials", e);
            case "ExpiredToken":
            case "TokenRefreshRequired":
                return new StoreException("the AWS session token has expired (" + target
                        + "): refresh the credentials, e.g. 'aws sso login'", e);
            case "RequestTimeTooSkewed":
                return new StoreException("S3 refused " + target + " because this machine's clock is off: "
                        + "synchronise the clock (NTP)", e);
            case "AuthorizationHeaderMalformed":
            case "PermanentRedirect":
            case "IllegalLocationConstraintException":
                return new StoreException("bucket '" + bucket + "' is in another region than the one in use: "
                        + "set AWS_REGION to the bucket's region", e);
            case "AccessDenied":
            case "AllAccessDisabled":
                return accessDenied(e, target, operation);
            default:
                break;
        }
        if (status == 403) {
            return accessDenied(e, target, operation);
        }
        if (status == 404 && e.awsErrorDetails() != null && code.isEmpty()) {
            return new StoreException("S3 at " + endpoint + " answered 404 for " + target
                    + ": check that bucket '" + bucket + "' exists and the store URL is right", e);
        }
        if (status == 301 || status == 307) {
            return new StoreException("bucket '" + bucket + "' is in another region than the one in use: "
                    + "set AWS_REGION to the bucket's region", e);
        }
        if (status >= 500) {
            return new StoreException("S3 at " + endpoint + " failed with HTTP " + status + " for " + target
                    + " (retried); try again later", e);
        }
        return new StoreException("S3 refused " + operation + " on " + target + ": HTTP " + status
                + (code.isEmpty() ? "" : " " + code) + " " + oneLine(message(e)), e);
    }

    private StoreException accessDenied(S3Exception e, String target, String operation) {
        String hint = operation.equals("s3:GetObject")
                ? " (S3 also answers 'access denied' for a missing object when s3:ListBucket is not allowed)"
                : "";
        return new StoreException("access denied to " + target + ": the credentials in use (for a host: its IAM role) "
                + "must allow " + operation + " there" + hint, e);
    }

    private StoreException describeClient(SdkClientException e, String target) {
        Throwable cause = rootCause(e);
        String message = oneLine(e.getMessage());
        if (message.contains("Unable to load credentials") || message.contains("credentials")
                && message.contains("provider")) {
            return new StoreException("no AWS credentials found for " + target + ": set AWS_PROFILE or "
                    + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run 'aws sso login', or give the host an instance profile", e);
        }
        if (cause instanceof UnknownHostException || cause instanceof ConnectException
                || cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException
                || cause instanceof InterruptedIOException) {
            return new StoreException("cannot reach endpoint " + endpoint + " for " + target + " ("
                    + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + oneLine(cause.getMessage()))
                    + "): " + (customEndpoint ? "check --endpoint-url / AWS_ENDPOINT_URL and that the server runs"
                    : "check the network, proxy and DNS"), e);
        }
        if (cause instanceof SSLException) {
            return new StoreException("TLS with " + endpoint + " failed for " + target + " (" + oneLine(cause.getMessage())
                    + "): check the endpoint's certificate, or use http:// for a local test server", e);
        }
        return new StoreException("S3 request for " + target + " failed: " + message, e);
    }

    static String code(S3Exception e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return details == null || details.errorCode() == null ? "" : details.errorCode();
    }

    private static String message(S3Exception e) {
        AwsErrorDetails details = e.awsErrorDetails();
        return details == null || details.errorMessage() == null ? "" : details.errorMessage();
    }

    private static Throwable rootCause(Throwable e) {
        Throwable current = e;
        while (current.getCause() != null && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }

    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
