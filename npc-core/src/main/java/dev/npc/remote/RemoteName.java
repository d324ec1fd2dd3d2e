package dev.npc.remote;

import java.util.regex.Pattern;

/** Remote names become object keys ({@code remotes/<name>.npc}), so no '/' and no '..'. */
public final class RemoteName {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private RemoteName() { }

    public static String check(String name) {
        if (name == null || !VALID.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("remote name '" + name
                    + "' is not valid; use 1-100 characters from [A-Za-z0-9._-], starting with a letter or digit");
        }
        return name;
    }
}
