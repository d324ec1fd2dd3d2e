package dev.npc.store;

import java.util.regex.Pattern;

/** Keeps object keys inside the store's prefix, whatever a caller or a document says. */
public final class StoreKeys {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._\\-/]+");

    private StoreKeys() { }

    /** Whether {@link #check} would accept {@code key}: for readers that skip what they cannot use. */
    public static boolean isValid(String key) {
        try {
            check(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Returns {@code key} unchanged when it is a plain relative key; throws otherwise. */
    public static String check(String key) {
        if (key == null || key.isEmpty() || key.length() > 900) {
            throw new IllegalArgumentException("object key must be 1-900 characters: '" + key + "'");
        }
        if (!SAFE.matcher(key).matches()) {
            throw new IllegalArgumentException("object key '" + key + "' has characters outside [A-Za-z0-9._-/]");
        }
        checkSegments(key, key.split("/", -1));
        return key;
    }

    /** Like {@link #check} but for a listing prefix: may be empty and may end with '/'. */
    public static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        check(body);
        return prefix;
    }

    private static void checkSegments(String key, String[] parts) {
        for (String part : parts) {
            if (part.isEmpty() || part.equals("..") || part.equals(".")) {
                throw new IllegalArgumentException("object key '" + key
                        + "' must be relative, without empty, '.' or '..' segments");
            }
        }
    }
}
