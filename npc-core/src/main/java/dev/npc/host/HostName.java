package dev.npc.host;

import java.util.regex.Pattern;

/** Host names become object-key segments, so they are held to DNS-label characters. */
public final class HostName {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private HostName() { }

    /** Whether {@link #check} would accept {@code host}: for readers that skip what they cannot use. */
    public static boolean isValid(String host) {
        try {
            check(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static String check(String host) {
        if (host == null || !VALID.matcher(host).matches() || host.contains("..")) {
            throw new IllegalArgumentException("host name '" + host
                    + "' is not valid; use 1-63 characters from [A-Za-z0-9._-], starting with a letter or digit");
        }
        return host;
    }
}
