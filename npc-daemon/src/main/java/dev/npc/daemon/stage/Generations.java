package dev.npc.daemon.stage;

import dev.npc.daemon.config.SystemCommands;
import dev.npc.daemon.report.EventLog;
import dev.npc.host.Action;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * After a healthy switch: keeps the newest {@code keep} generations of the system profile and
 * deletes the others, never the running system ({@code /run/current-system}), the booted one
 * ({@code /run/booted-system}) or the profile's own generation. Without this every switch adds a
 * generation, each one keeps its closure from the garbage collector and, on EFI hosts, its
 * kernel and initrd on the small /boot partition, until switches fail for lack of space.
 *
 * <p>Generations are read as nixos-rebuild reads them (the {@code system-<N>-link} entries next to
 * the profile; get_generations in nixpkgs' pkgs/by-name/ni/nixos-rebuild-ng/src/nixos_rebuild/nix.py)
 * and deleted with {@code nix-env --delete-generations}. The bootloader's entries go when the
 * bootloader is installed again: systemd-boot's installer lists the profile's generations with
 * {@code nix-env --list-generations} and removes every entry, kernel and initrd of a generation
 * no longer listed (remove_old_entries in
 * nixos/modules/system/boot/loader/systemd-boot/systemd-boot-builder.py; GRUB's installer
 * likewise writes only listed generations). So npc runs the profile's own
 * {@code switch-to-configuration boot} (through the same transient unit as every switch), which
 * installs the bootloader with that system as the default: the default does not move.
 */
public final class Generations {
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Commands commands;
    private final Activator activator;
    private final SystemCommands system;
    private final int keep;
    private final EventLog log;

    public Generations(Commands commands, Activator activator, SystemCommands system, int keep, EventLog log) {
        this.commands = commands;
        this.activator = activator;
        this.system = system;
        this.keep = keep;
        this.log = log;
    }

    /** @return the generation numbers deleted (none when nothing was over the limit or deleting failed) */
    public List<Integer> prune() throws InterruptedException {
        Path profile = system.systemProfile();
        Map<Integer, Path> generations = list(profile);
        if (generations.size() <= keep) {
            return List.of();
        }
        Set<String> protect = new HashSet<>();
        for (Path link : List.of(profile, system.currentSystem(), system.bootedSystem())) {
            String target = RunningSystem.resolve(link);
            if (target != null) {
                protect.add(target);
            }
        }
        String profileGeneration = profileGeneration(profile);
        List<Integer> newestFirst = new ArrayList<>(generations.keySet());
        newestFirst.sort((a, b) -> Integer.compare(b, a));
        List<Integer> delete = new ArrayList<>();
        for (int i = keep; i < newestFirst.size(); i++) {
            int number = newestFirst.get(i);
            Path link = generations.get(number);
            String target = RunningSystem.resolve(link);
            if (link.getFileName().toString().equals(profileGeneration) || target != null && protect.contains(target)) {
                continue;
            }
            delete.add(number);
        }
        if (delete.isEmpty()) {
            return List.of();
        }
        delete.sort(Integer::compare);
        List<String> command = new ArrayList<>(List.of(system.nixEnv(), "-p", profile.toString(),
                "--delete-generations"));
        delete.forEach(n -> command.add(Integer.toString(n)));
        try {
            commands.run("nix-env --delete-generations", command, Map.of(), TIMEOUT);
        } catch (StageFailure e) {
            log.warn("cannot delete old system generations " + delete + ": " + e.getMessage());
            return List.of();
        }
        log.info("deleted system generations " + join(delete) + " (keeping the newest " + keep
                + ", the running and the booted system); updating the boot menu");
        String current = RunningSystem.resolve(profile);
        if (current != null) {
            try {
                activator.switchTo(current, Action.BOOT);
            } catch (SwitchBusy e) {
                log.warn("the boot menu keeps the deleted generations until the next switch: " + e.getMessage());
            } catch (StageFailure e) {
                log.warn("the boot menu keeps the deleted generations until the next switch: " + e.getMessage());
            }
        }
        return delete;
    }

    /** The profile's generations by number: {@code <profile>-<N>-link} next to it. */
    static Map<Integer, Path> list(Path profile) {
        Map<Integer, Path> generations = new TreeMap<>();
        Path dir = profile.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return generations;
        }
        Pattern name = Pattern.compile(Pattern.quote(profile.getFileName().toString()) + "-([0-9]+)-link");
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                Matcher m = name.matcher(entry.getFileName().toString());
                if (m.matches() && Files.isSymbolicLink(entry)) {
                    generations.put(Integer.parseInt(m.group(1)), entry);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return new TreeMap<>();
        }
        return generations;
    }

    private static String profileGeneration(Path profile) {
        try {
            return Files.isSymbolicLink(profile) ? Files.readSymbolicLink(profile).getFileName().toString() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String join(List<Integer> numbers) {
        return String.join(", ", numbers.stream().map(String::valueOf).toList());
    }
}
