package dev.npc.store;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.ConnectException;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wording of failures S3Proxy cannot produce (IAM policies, regions, outages). */
class S3FailuresTest {
    private static final String STATE = "s3://fleet/prod/hosts/web-1/state.json";
    private final S3Failures aws = new S3Failures("fleet", "https://s3.eu-west-1.amazonaws.com", false);
    private final S3Failures minio = new S3Failures("fleet", "http://10.0.0.5:9000", true);

    private static S3Exception s3(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message + "\nsecond line")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    private static String oneLine(StoreException e) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void accessDeniedNamesTheObjectAndTheMissingPermission() {
        String message = oneLine(aws.describe(s3(403, "AccessDenied", "Access Denied"), STATE, "s3:PutObject"));
        assertEquals("access denied to " + STATE + ": the credentials in use (for a host: its IAM role) must allow "
                + "s3:PutObject there", message);
    }

    @Test
    void accessDeniedOnAReadMentionsThatS3HidesMissingObjectsWithoutListBucket() {
        String message = oneLine(aws.describe(s3(403, "AccessDenied", "Access Denied"), STATE, "s3:GetObject"));
        assertTrue(message.contains("s3:ListBucket"), message);
    }

    @Test
    void missingBucketIsNamed() {
        String message = oneLine(aws.describe(s3(404, "NoSuchBucket", "The specified bucket does not exist"), STATE,
                "s3:GetObject"));
        assertTrue(message.startsWith("bucket 'fleet' does not exist"), message);
    }

    @Test
    void wrongRegionSaysWhichSettingToChange() {
        String message = oneLine(aws.describe(s3(400, "AuthorizationHeaderMalformed", "region is wrong"), STATE,
                "s3:GetObject"));
        assertTrue(message.contains("AWS_REGION"), message);
    }

    @Test
    void serverErrorsSayTryAgain() {
        String message = oneLine(aws.describe(s3(503, "SlowDown", "Please reduce your request rate"), STATE,
                "s3:PutObject"));
        assertTrue(message.contains("HTTP 503") && message.contains("try again"), message);
    }

    @Test
    void unknownCodesKeepTheServersWordsOnOneLine() {
        String message = oneLine(aws.describe(s3(400, "InvalidArgument", "bad thing"), STATE, "s3:PutObject"));
        assertTrue(message.contains("InvalidArgument") && message.contains("bad thing"), message);
    }

    @Test
    void anUnreachableCustomEndpointPointsAtTheEndpointSetting() {
        SdkException e = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build();
        String message = oneLine(minio.describe(e, STATE, "s3:GetObject"));
        assertTrue(message.startsWith("cannot reach endpoint http://10.0.0.5:9000 for " + STATE), message);
        assertTrue(message.contains("--endpoint-url"), message);
    }

    @Test
    void anUnreachableAwsPointsAtTheNetwork() {
        SdkException e = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new UnknownHostException("s3.eu-west-1.amazonaws.com")).build();
        String message = oneLine(aws.describe(e, STATE, "s3:GetObject"));
        assertTrue(message.contains("network"), message);
    }

    @Test
    void missingCredentialsListTheWaysToProvideThem() {
        SdkException e = SdkClientException.builder()
                .message("Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)")
                .build();
        String message = oneLine(aws.describe(e, STATE, "s3:GetObject"));
        assertTrue(message.startsWith("no AWS credentials found for " + STATE), message);
        assertTrue(message.contains("AWS_PROFILE") && message.contains("aws sso login"), message);
    }
}
