package dev.npc.daemon.stage;

import java.io.IOException;
import java.nio.file.Path;

/** Reads which system a link ({@code /run/current-system}, the system profile) resolves to. */
public final class RunningSystem {
    private RunningSystem() { }

    /** The fully resolved target of {@code link}, or null when it does not exist. */
    public static String resolve(Path link) {
        try {
            return link.toRealPath().toString();
        } catch (IOException e) { // missing (NoSuchFileException), a loop, unreadable
            return null;
        }
    }

    /** Whether two system paths name the same system once links are resolved. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.equals(b)) {
            return true; // the usual answer, without resolving each link of both paths again
        }
        String ra = resolve(Path.of(a));
        String rb = resolve(Path.of(b));
        return (ra != null ? ra : a).equals(rb != null ? rb : b);
    }
}
