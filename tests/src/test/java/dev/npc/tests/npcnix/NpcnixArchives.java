package dev.npc.tests.npcnix;

import dev.npc.digest.Sha256;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.SystemProcessRunner;
import dev.npc.store.GetResult;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * npcnix remotes as npcnix makes them, for the import tests.
 *
 * <p>{@code npcnix pack} (rustshop/npcnix, src/lib.rs, {@code pack_archive_from}) does not run GNU
 * tar: it uses the Rust tar crate 0.4.38 (its Cargo.lock) and the zstd crate at level 0, zstd's
 * default level 3. So the first way here is that crate itself: {@code src/test/rust/npcnix-pack},
 * a few lines making the same calls npcnix makes, built offline with the machine's cargo from
 * Debian's librust-tar-dev (0.4.38 as well; .ci/run installs it), its tar stream piped through
 * {@code zstd -3 --no-check} (the crate's stream encoder writes no checksum). That gives an npcnix
 * archive's quirks as they are: GNU-format headers, names without "./" and without a top-level
 * directory, the files' own mtimes, owners and modes, directory entries, symlinks followed
 * (stored as the files they point to), GNU long-name records for long paths, read_dir order, and
 * everything in the directory, .git/ included.
 *
 * <p>Where cargo or the crate is missing, {@link #npcnixPack} falls back to GNU tar in its gnu
 * format with the same member names, {@code --dereference} and {@code --hard-dereference}: the
 * same shape, said so in {@link #maker()}. {@link #gnuTar} makes the archives people made by hand
 * ({@code tar -C dir -c .}, with "./" names, or with a top-level directory).
 */
final class NpcnixArchives {
    private static final Path CRATE_SOURCE = Path.of("/usr/share/cargo/registry/tar-0.4.38");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static Optional<Path> built;

    private NpcnixArchives() { }

    /** Which tool made the archives of {@link #npcnixPack}, for the tests' messages. */
    static String maker() {
        return packer().isPresent() ? "the Rust tar crate 0.4.38, as npcnix pack"
                : "GNU tar --format=gnu (cargo or Debian's librust-tar-dev is missing, so not npcnix's tar crate)";
    }

    /** The bytes {@code npcnix pack --src src} would upload. */
    static byte[] npcnixPack(Path src) {
        Optional<Path> packer = packer();
        if (packer.isPresent()) {
            return zstd(src, List.of(packer.get().toString(), src.toString()));
        }
        List<String> command = new ArrayList<>(List.of("tar", "--format=gnu", "--dereference", "--hard-dereference",
                "-C", src.toString(), "-cf", "-"));
        command.addAll(topLevelNames(src));
        return zstd(src, command);
    }

    /**
     * An archive made by hand with GNU tar: {@code tar -C parent -cf - member | zstd}; with member
     * "." every name starts with "./", with a directory name the archive has a top-level directory.
     */
    static byte[] gnuTar(Path parent, String member) {
        return zstd(parent, List.of("tar", "--format=gnu", "-C", parent.toString(), "-cf", "-", member));
    }

    /** What an npcnix host builds from: the archive unpacked by GNU tar, described as TestFlakes does. */
    static Map<String, String> unpackedByGnuTar(byte[] archive, Path tmp) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "npcnix-host-");
        Path file = Files.write(Files.createTempFile(tmp, "unpack-", ".npcnix"), archive);
        TestCommands.run(dir, List.of("tar", "--zstd", "-xf", file.toString()));
        return TestFlakes.describe(dir);
    }

    /** Every object of a store: key to ETag and the sha256 of its bytes, what the import must leave as it is. */
    static Map<String, String> objects(Store store) throws IOException {
        Map<String, String> objects = new TreeMap<>();
        for (ObjectInfo object : store.list("")) {
            try (GetResult got = store.get(object.key(), null)) {
                objects.put(object.key(), object.etag() + " " + Sha256.hex(((GetResult.Found) got).body().readAllBytes()));
            }
        }
        return objects;
    }

    /** Runs {@code producer} in {@code dir} and returns its output compressed by {@code zstd -3 --no-check}. */
    private static byte[] zstd(Path dir, List<String> producer) {
        try {
            Path out = Files.createTempFile("npcnix-", ".tar.zst");
            try {
                List<String> command = new ArrayList<>(List.of("sh", "-c",
                        "out=$1; shift; \"$@\" | zstd -3 --no-check -q -c > \"$out\"", "sh", out.toString()));
                command.addAll(producer);
                TestCommands.run(dir, command);
                return Files.readAllBytes(out);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> topLevelNames(Path src) {
        try (var list = Files.list(src)) {
            return list.filter(p -> !(Files.isSymbolicLink(p) && readLink(p).isAbsolute()))
                    .map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path readLink(Path link) {
        try {
            return Files.readSymbolicLink(link);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The npcnix-pack stand-in, built once per test run; empty when cargo or the crate is missing. */
    private static synchronized Optional<Path> packer() {
        if (built == null) {
            built = build();
        }
        return built;
    }

    private static Optional<Path> build() {
        if ("gnu-tar".equals(System.getProperty("npc.npcnix.archives"))) {
            return Optional.empty(); // -Dnpc.npcnix.archives=gnu-tar runs the fallback where cargo exists
        }
        Optional<Path> cargo = cargo();
        if (cargo.isEmpty() || !Files.isDirectory(CRATE_SOURCE) || !TestCommands.available("zstd")) {
            return Optional.empty();
        }
        Path root = Path.of(System.getProperty("npc.repo.root", "..")).toAbsolutePath().normalize();
        Path source = root.resolve("tests/src/test/rust/npcnix-pack");
        Path work = root.resolve("tests/target/npcnix-pack");
        try {
            // Built from a copy: cargo writes Cargo.lock next to the manifest, and the sources stay clean.
            Path copy = work.resolve("src-copy");
            Files.createDirectories(copy.resolve("src"));
            Files.copy(source.resolve("Cargo.toml"), copy.resolve("Cargo.toml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(source.resolve("src/main.rs"), copy.resolve("src/main.rs"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ProcessResult result = new SystemProcessRunner().run(List.of(cargo.get().toString(), "build", "--offline",
                            "--quiet", "--manifest-path", copy.resolve("Cargo.toml").toString(),
                            "--target-dir", work.resolve("target").toString(),
                            "--config", "source.crates-io.replace-with=\"debian\"",
                            "--config", "source.debian.directory=\"" + CRATE_SOURCE.getParent() + "\""),
                    Map.of(), copy, TIMEOUT);
            if (!result.ok()) {
                throw new AssertionError("cargo could not build the npcnix-pack stand-in from Debian's tar crate:\n"
                        + result);
            }
            return Optional.of(work.resolve("target/debug/npcnix-pack"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Optional<Path> cargo() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add(System.getProperty("user.home") + "/.cargo/bin");
        for (String dir : dirs) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "cargo");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
