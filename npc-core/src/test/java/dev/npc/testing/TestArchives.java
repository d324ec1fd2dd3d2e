package dev.npc.testing;

import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds tar + zstd archives entry by entry, with no checks at all, so tests can make exactly the
 * archive they need, hostile ones included; and reads archives back for assertions.
 */
public final class TestArchives {
    private record Item(TarArchiveEntry header, byte[] data) { }

    private final List<Item> items = new ArrayList<>();

    public static TestArchives builder() {
        return new TestArchives();
    }

    public TestArchives file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public TestArchives file(String name, byte[] content, int mode) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setSize(content.length);
        e.setMode(mode);
        items.add(new Item(e, content));
        return this;
    }

    public TestArchives directory(String name) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(0755);
        items.add(new Item(e, new byte[0]));
        return this;
    }

    public TestArchives symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        items.add(new Item(e, new byte[0]));
        return this;
    }

    public TestArchives hardLink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        items.add(new Item(e, new byte[0]));
        return this;
    }

    /** An entry of any tar type without data: fifo ('6'), character device ('3'), block device ('4'). */
    public TestArchives special(String name, byte type) {
        items.add(new Item(entry(name, type), new byte[0]));
        return this;
    }

    /** The tar stream alone, without compression. */
    public byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Item item : items) {
                tar.putArchiveEntry(item.header);
                tar.write(item.data);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The archive as npc reads it: tar, then zstd. */
    public byte[] build() {
        return zstd(tar());
    }

    public static byte[] zstd(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdOutputStream out = new ZstdOutputStream(bytes, 3)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** zstd with a frame that declares a window of 2^{@code windowLog} bytes (what --long or --ultra levels ask a reader for). */
    public static byte[] zstdWithWindowLog(byte[] data, int windowLog) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZstdOutputStream out = new ZstdOutputStream(bytes, 3)) {
            out.setWindowLog(windowLog);
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The tar headers of an archive, in order, for asserting names, modes, owners and times. */
    public static List<TarArchiveEntry> headers(Path tarZst) {
        try (InputStream in = Files.newInputStream(tarZst)) {
            return headers(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<TarArchiveEntry> headers(byte[] tarZst) {
        List<TarArchiveEntry> headers = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new com.github.luben.zstd.ZstdInputStream(new ByteArrayInputStream(tarZst)), StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                headers.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return headers;
    }

    private static TarArchiveEntry entry(String name, byte type) {
        // preserveAbsolutePath keeps hostile names like "/etc/x" exactly as given
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setIds(0, 0);
        e.setUserName("");
        e.setGroupName("");
        e.setLastModifiedTime(java.nio.file.attribute.FileTime.fromMillis(1000));
        return e;
    }
}
