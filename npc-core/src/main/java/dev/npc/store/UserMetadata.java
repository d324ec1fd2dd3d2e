package dev.npc.store;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * User metadata as every store keeps it: lower-case names (S3 lower-cases them on the wire) and
 * printable ASCII values (S3 mangles anything else), within S3's 2 KB limit. Both stores apply
 * the same rule so a file store never accepts what S3 would refuse or change.
 */
final class UserMetadata {
    /** S3's limit for the names and values of all user metadata of one object, in bytes. */
    static final int MAX_BYTES = 2048;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]*");

    private UserMetadata() { }

    /** Returns the metadata with lower-cased names, sorted; throws a one-line error naming the bad entry. */
    static Map<String, String> normalise(Map<String, String> metadata, String where) {
        Map<String, String> result = new TreeMap<>();
        if (metadata == null) {
            return result;
        }
        int bytes = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            String name = entry.getKey() == null ? "" : entry.getKey().toLowerCase(Locale.ROOT);
            String value = entry.getValue();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("metadata name '" + entry.getKey() + "' for " + where
                        + " must be letters, digits and '-'");
            }
            if (value == null || !VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("metadata '" + name + "' for " + where
                        + " must be printable ASCII (encode other text, e.g. base64)");
            }
            bytes += name.getBytes(StandardCharsets.US_ASCII).length + value.length();
            result.put(name, value);
        }
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("metadata for " + where + " is " + bytes
                    + " bytes, over S3's limit of " + MAX_BYTES + "; keep large data in the object itself");
        }
        return result;
    }
}
