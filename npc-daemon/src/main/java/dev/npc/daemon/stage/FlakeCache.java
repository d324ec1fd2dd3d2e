package dev.npc.daemon.stage;

import dev.npc.files.Trees;
import dev.npc.digest.Sha256;

import java.io.IOException;

import java.nio.file.Files;
import java.nio.file.Path;

import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The unpacked flakes, {@code flakes/<sha256>/}: the newest few are kept, never the one in use. */
public final class FlakeCache {
    public static final int KEEP = 3;

    private final Path root;
    private final Clock clock;

    public FlakeCache(Path root, Clock clock) {
        this.root = root;
        this.clock = clock;
    }

    public Path root() {
        return root;
    }

    public Path dir(String sha256) {
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("not a sha256: " + sha256);
        }
        return root.resolve(sha256);
    }

    /**
     * Deletes what a daemon killed mid-fetch left: {@code .download-*} files and half-unpacked
     * {@code .<sha256>.unpack-*} directories. Only the activation lock holder fetches, so at the
     * start of a fetch none of them belongs to anyone alive.
     */
    public void removeLeftovers() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        List<Path> leftovers = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(".download-") || (name.startsWith(".") && name.contains(".unpack-"));
            }).forEach(leftovers::add);
        }
        for (Path leftover : leftovers) {
            if (Files.isDirectory(leftover, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Trees.deleteRecursively(leftover);
            } else {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** Marks a flake as just used, so pruning keeps it among the newest. */
    public void touch(Path flake) throws IOException {
        Files.setLastModifiedTime(flake, FileTime.from(clock.instant()));
    }

    /** Deletes all but the {@link #KEEP} most recently used flakes; {@code protect} are never deleted. */
    public List<String> prune(Set<String> protect) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> flakes = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> Sha256.isHex(p.getFileName().toString()) && Files.isDirectory(p)).forEach(flakes::add);
        }
        flakes.sort(Comparator.comparing(FlakeCache::modified).reversed().thenComparing(Path::toString));
        List<String> deleted = new ArrayList<>();
        for (int i = KEEP; i < flakes.size(); i++) {
            String name = flakes.get(i).getFileName().toString();
            if (!protect.contains(name)) {
                Trees.deleteRecursively(flakes.get(i));
                deleted.add(name);
            }
        }
        return deleted;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

}
