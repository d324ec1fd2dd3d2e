package dev.npc.pack;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory held open while its files wait to be packed, so each of them is stat'ed and opened
 * relative to it (fstatat/openat) instead of by a full path the kernel must walk again; with
 * thousands of small files the path walks cost more than reading. Closed when the walk has left
 * it and the last of its files has been read.
 */
final class OpenDirectory {
    private static final Set<? extends java.nio.file.OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

    private final SecureDirectoryStream<Path> stream;
    /** The walk holds one reference while listing; each file entry handed on holds one more. */
    private final AtomicInteger references = new AtomicInteger(1);

    OpenDirectory(SecureDirectoryStream<Path> stream) {
        this.stream = stream;
    }

    SecureDirectoryStream<Path> stream() {
        return stream;
    }

    PosixFileAttributes attributes(Path name) throws IOException {
        return stream.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    SeekableByteChannel open(Path name) throws IOException {
        return stream.newByteChannel(name, READ);
    }

    OpenDirectory retain() {
        references.incrementAndGet();
        return this;
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            try {
                stream.close();
            } catch (IOException e) {
                // closing a directory we only read cannot lose data
            }
        }
    }
}
