package dev.npc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Builds flake directories for tests and describes trees so two of them can be compared. */
public final class TestFlakes {
    /** A flake Nix accepts: no inputs, no outputs worth building. */
    public static final String FLAKE_NIX = "{\n  description = \"test flake\";\n  outputs = { self }: { };\n}\n";
    /** The lock file `nix flake lock` writes for a flake without inputs. */
    public static final String FLAKE_LOCK = "{\n  \"nodes\": {\n    \"root\": {}\n  },\n  \"root\": \"root\",\n  \"version\": 7\n}\n";

    private TestFlakes() { }

    /** Writes flake.nix and flake.lock into {@code dir} (created if needed) and returns it. */
    public static Path minimal(Path dir) {
        write(dir, "flake.nix", FLAKE_NIX);
        write(dir, "flake.lock", FLAKE_LOCK);
        return dir;
    }

    /**
     * Makes {@code dir} a git repository holding a minimal flake (plus whatever is already in it),
     * committed; returns the commit. Needs the git binary (see {@link TestCommands#available}).
     */
    public static String committedGitFlake(Path dir) {
        minimal(dir);
        TestCommands.git(dir, "init", "-q");
        TestCommands.git(dir, "add", "-A");
        TestCommands.git(dir, "commit", "-q", "-m", "flake");
        return TestCommands.git(dir, "rev-parse", "HEAD").strip();
    }

    /** A flake.lock whose only input is a {@code path} input pointing at {@code path}. */
    public static String lockWithPathInput(String path) {
        return "{\n  \"nodes\": {\n    \"local\": {\n      \"locked\": {\n        \"lastModified\": 1,\n"
                // The sha256 of no bytes: well formed, and never checked (pack refuses the path input first).
                + "        \"narHash\": \"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\",\n"
                + "        \"path\": \"" + path + "\",\n        \"type\": \"path\"\n      },\n"
                + "      \"original\": {\n        \"path\": \"" + path + "\",\n        \"type\": \"path\"\n      }\n    },\n"
                + "    \"root\": {\n      \"inputs\": {\n        \"local\": \"local\"\n      }\n    }\n  },\n"
                + "  \"root\": \"root\",\n  \"version\": 7\n}\n";
    }

    /** Writes a file, creating parent directories; returns its path. */
    public static Path write(Path root, String relative, String content) {
        return write(root, relative, content.getBytes(StandardCharsets.UTF_8));
    }

    public static Path write(Path root, String relative, byte[] content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path writeExecutable(Path root, String relative, String content) {
        Path file = write(root, relative, content);
        chmod(file, "rwxr-xr-x");
        return file;
    }

    public static Path symlink(Path root, String relative, String target) {
        try {
            Path link = root.resolve(relative);
            Files.createDirectories(link.getParent());
            return Files.createSymbolicLink(link, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void chmod(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every path under {@code root} with what it is: {@code dir 755}, {@code file 644 <sha256>}
     * or {@code link <target>}. Two trees are the same when their descriptions are equal.
     */
    public static Map<String, String> describe(Path root) {
        Map<String, String> tree = new TreeMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root)) {
                        tree.put(relative(root, dir), "dir " + mode(dir));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String rel = relative(root, file);
                    if (attrs.isSymbolicLink()) {
                        tree.put(rel, "link " + Files.readSymbolicLink(file));
                    } else if (attrs.isRegularFile()) {
                        tree.put(rel, "file " + mode(file) + " " + sha256(Files.readAllBytes(file)));
                    } else {
                        tree.put(rel, "special");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }

    private static String relative(Path root, Path path) {
        return root.relativize(path).toString();
    }

    private static String mode(Path path) throws IOException {
        int mode = 0;
        for (var permission : Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)) {
            mode |= 0400 >> permission.ordinal();
        }
        return Integer.toOctalString(mode);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
