package dev.npc.pack;

import com.github.luben.zstd.util.Native;
import dev.npc.files.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loads zstd-jni's native library from a copy kept in npc's cache directory. Left to itself,
 * zstd-jni copies the library (900 KB) out of its jar into a new temporary file at every start,
 * named through SecureRandom: measured 2026-12-03 with the shipped flags and the class data
 * sharing archive, 40-50 ms at the start of every pack, against 2-4 ms to load a copy that is
 * already there. zstd-jni loads the file its system property {@value #PATH_PROPERTY} names; when
 * anything here does not work out (no home directory, a read-only one, a copy that does not load)
 * the property is left unset and zstd-jni does what it always does.
 */
final class ZstdLibrary {
    static final String PATH_PROPERTY = "ZstdNativePath";
    private static boolean tried;

    private ZstdLibrary() { }

    /** Before zstd is first used: from then on the library is loaded, whichever way. */
    static synchronized void load(Path cacheDirectory) {
        if (tried) {
            return;
        }
        tried = true;
        if (System.getProperty(PATH_PROPERTY) != null || Native.isLoaded()) {
            return; // the packager named a copy, or it is loaded already
        }
        try {
            Path copy = cachedCopy(cacheDirectory);
            if (copy != null) {
                System.setProperty(PATH_PROPERTY, copy.toString());
                Native.load();
            }
        } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.clearProperty(PATH_PROPERTY); // zstd-jni extracts its own copy, as without this class
        }
    }

    /**
     * The library as a file in {@code cacheDirectory}, written there unless a file with exactly
     * the jar's bytes is there already; null if the jar has none. Comparing every byte (about
     * 3 ms) rather than the size means the library loaded is always the one npc shipped, whatever
     * else wrote to the cache directory.
     */
    private static Path cachedCopy(Path cacheDirectory) throws IOException, ReflectiveOperationException {
        // zstd-jni's own name for this platform's library inside its jar, e.g. /linux/amd64/libzstd-jni-1.5.7-28.so
        Method resourceName = Native.class.getDeclaredMethod("resourceName");
        resourceName.setAccessible(true);
        String resource = (String) resourceName.invoke(null);
        URL url = Native.class.getResource(resource);
        if (url == null) {
            return null;
        }
        // the platform in the name too: a home directory may be shared by machines of several kinds
        Path copy = cacheDirectory.resolve(resource.substring(1).replace('/', '-'));
        URLConnection connection = url.openConnection();
        byte[] library;
        try (InputStream in = connection.getInputStream()) {
            library = in.readAllBytes();
        }
        if (Files.isRegularFile(copy, LinkOption.NOFOLLOW_LINKS) && Files.size(copy) == library.length
                && Arrays.equals(Files.readAllBytes(copy), library)) {
            return copy;
        }
        AtomicFiles.write(copy, library); // whole or not at all, for a pack running beside this one
        return copy;
    }
}
