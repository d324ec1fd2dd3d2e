package dev.npc.daemon.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a NixOS system boots with, and whether another system boots differently: what only a
 * reboot brings in. A toplevel links {@code kernel}, {@code initrd} and {@code kernel-modules}
 * and holds the kernel command line in the file {@code kernel-params} (nixpkgs'
 * nixos/modules/system/boot/kernel.nix writes them). system.autoUpgrade's allowReboot compares
 * the first three the same way, {@code readlink /run/booted-system/{initrd,kernel,kernel-modules}}
 * against the new system's (nixos/modules/tasks/auto-upgrade.nix); npc adds the parameters,
 * which a switch does not apply either.
 */
public final class BootFiles {
    /** The links compared by their target, as readlink shows it, in the order reports name them. */
    static final List<String> LINKS = List.of("kernel", "initrd", "kernel-modules");
    static final String PARAMS = "kernel-params";

    private BootFiles() { }

    /**
     * What differs between the system {@code booted} (the /run/booted-system link) runs and what
     * {@code system} would boot: a sublist of kernel, initrd, kernel-modules, kernel-params; empty
     * when nothing does, or when the booted system cannot be read (a container has none), since
     * then no reboot can be known to be needed.
     */
    public static List<String> changed(Path booted, Path system) {
        if (!Files.isDirectory(booted) || !Files.isDirectory(system)) {
            return List.of();
        }
        List<String> changed = new ArrayList<>();
        for (String link : LINKS) {
            if (!Objects.equals(target(booted.resolve(link)), target(system.resolve(link)))) {
                changed.add(link);
            }
        }
        if (!Objects.equals(content(booted.resolve(PARAMS)), content(system.resolve(PARAMS)))) {
            changed.add(PARAMS);
        }
        return List.copyOf(changed);
    }

    /** A link's target as stored (readlink without -f), or null when there is no such link. */
    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            // Not a link (or unreadable): compare what it resolves to.
            return RunningSystem.resolve(link);
        }
    }

    private static String content(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
