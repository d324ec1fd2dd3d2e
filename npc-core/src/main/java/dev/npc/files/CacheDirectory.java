package dev.npc.files;

import java.nio.file.Path;

/** Where npc keeps what it can always make again: $XDG_CACHE_HOME/npc, else ~/.cache/npc. */
public final class CacheDirectory {
    private CacheDirectory() { }

    /** This user's, as every desktop tool finds it. */
    public static Path current() {
        return of(System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
    }

    /** @param xdgCacheHome the variable's value (used only when absolute, as the XDG spec says), or null */
    static Path of(String xdgCacheHome, String userHome) {
        Path base = xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()
                ? Path.of(xdgCacheHome) : Path.of(userHome, ".cache");
        return base.resolve("npc");
    }
}
