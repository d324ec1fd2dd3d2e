package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's nix-bin, run offline against a store of its own in a temporary directory: no daemon,
 * no network, nothing written to /nix, the same as root or not. Stand-in flakes replace nixpkgs
 * (tests/src/test/resources/nix/stand-in-nixpkgs) and npc (the repository's flake.nix and module).
 */
final class Nix {
    private static final String FEATURES = "nix-command flakes";
    private final Path work;
    private final Map<String, String> env;

    Nix(Path work) {
        this.work = work;
        Path home = mkdirs(work.resolve("home"));
        this.env = Map.of(
                "HOME", home.toString(),
                "XDG_CACHE_HOME", mkdirs(work.resolve("cache")).toString(),
                "XDG_CONFIG_HOME", mkdirs(work.resolve("config")).toString(),
                "XDG_DATA_HOME", mkdirs(work.resolve("data")).toString(),
                "NIX_REMOTE", "local?root=" + work.resolve("store"),
                "NIX_CONFIG", "substituters =\nexperimental-features = " + FEATURES + "\n");
        Tools.require("nix");
    }

    /** The environment every nix command here runs with. */
    Map<String, String> environment() {
        return env;
    }

    /** `nix <args>` with the offline options every command here needs. */
    ProcessResult nix(String... args) {
        List<String> command = new ArrayList<>(List.of("nix", "--extra-experimental-features", FEATURES));
        command.addAll(List.of(args));
        return Tools.run(command, env, work);
    }

    String nixInstantiate(String... args) {
        List<String> command = new ArrayList<>(List.of("nix-instantiate"));
        command.addAll(List.of(args));
        return Tools.runOk(command, env, work);
    }

    /** A copy of the stand-in nixpkgs, as a path: flake reference. */
    String standInNixpkgs() {
        Path dir = work.resolve("stand-in-nixpkgs");
        if (!Files.isDirectory(dir)) {
            copyTree(Checkout.file("tests/src/test/resources/nix/stand-in-nixpkgs"), dir);
        }
        return "path:" + dir;
    }

    /**
     * The repository's flake (npc's package, module and the example fleet) as a path: flake
     * reference to a copy of the checkout's project files, without build output.
     */
    String npcFlake() {
        Path dir = work.resolve("npc");
        if (!Files.isDirectory(dir)) {
            Checkout.copyTo(dir);
        }
        return "path:" + dir;
    }

    /** The directory behind {@link #npcFlake()}, to edit before the first evaluation. */
    Path npcFlakeDir() {
        Path dir = work.resolve("npc");
        if (!Files.isDirectory(dir)) {
            Checkout.copyTo(dir);
        }
        return dir;
    }

    /** Where a store path of this test's store is on disk (the store lives under the work directory). */
    Path realPath(String storePath) {
        return work.resolve("store").resolve(storePath.substring(1));
    }

    /** A copy of a directory of the repository, for checks that must not touch the checkout. */
    Path copyOf(String relative) {
        Path dir = work.resolve("copies").resolve(relative);
        copyTree(Checkout.file(relative), dir);
        return dir;
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
