package dev.npc.store;

import java.util.regex.Pattern;

/** S3's rules for general-purpose bucket names, checked before any request is made. */
final class S3BucketNames {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");

    private S3BucketNames() { }

    /** @throws IllegalArgumentException naming the URL, the bucket and the rule */
    static void check(String bucket, String url) {
        boolean valid = NAME.matcher(bucket).matches() && !bucket.contains("..")
                && !bucket.contains(".-") && !bucket.contains("-.") && !IP.matcher(bucket).matches()
                && !bucket.startsWith("xn--") && !bucket.startsWith("sthree-")
                && !bucket.endsWith("-s3alias") && !bucket.endsWith("--ol-s3");
        if (!valid) {
            throw new IllegalArgumentException("store URL '" + url + "' has bucket name '" + bucket
                    + "', which is not a valid S3 bucket name (3-63 characters: lower-case letters, digits, "
                    + "'-' and '.', starting and ending with a letter or digit)");
        }
    }
}
