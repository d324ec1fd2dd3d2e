package dev.npc.daemon.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Requests to a running daemon as files in its state directory: no network port to open or
 * secure, and a request made while the daemon is down is seen when it starts.
 */
public final class Flags {
    private Flags() { }

    public static void raise(Path flag) throws IOException {
        Files.createDirectories(flag.toAbsolutePath().getParent());
        if (!Files.exists(flag)) {
            Files.write(flag, new byte[0]);
        }
    }

    public static boolean isRaised(Path flag) {
        return Files.exists(flag);
    }

    /** @return whether the flag was raised (and is now lowered) */
    public static boolean consume(Path flag) throws IOException {
        return Files.deleteIfExists(flag);
    }
}
