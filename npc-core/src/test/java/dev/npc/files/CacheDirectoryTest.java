package dev.npc.files;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CacheDirectoryTest {
    @Test
    void xdgCacheHomeWhenAbsoluteElseTheHomeDirectorysCache() {
        assertEquals(Path.of("/var/cache/me/npc"), CacheDirectory.of("/var/cache/me", "/home/me"));
        assertEquals(Path.of("/home/me/.cache/npc"), CacheDirectory.of(null, "/home/me"));
        assertEquals(Path.of("/home/me/.cache/npc"), CacheDirectory.of(" ", "/home/me"));
        assertEquals(Path.of("/home/me/.cache/npc"), CacheDirectory.of("relative/cache", "/home/me"), "the XDG spec ignores relative paths");
    }
}
