package dev.npc.daemon.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place system commands and paths are looked up, so tests point them at stand-ins and
 * nothing else differs from production.
 *
 * @param nix           {@code nix}
 * @param nixEnv        {@code nix-env}
 * @param nixStore      {@code nix-store}
 * @param systemctl     {@code systemctl}
 * @param systemdRun    {@code systemd-run}, from the same systemd as systemctl
 * @param currentSystem the running system link, {@code /run/current-system}
 * @param systemProfile the profile switch and boot set, {@code /nix/var/nix/profiles/system}
 * @param bootedSystem  the system the host booted, {@code /run/booted-system}
 */
public record SystemCommands(String nix, String nixEnv, String nixStore, String systemctl, String systemdRun,
                             Path currentSystem, Path systemProfile, Path bootedSystem) {
    /**
     * @param nixBin    a directory holding nix, nix-env and nix-store, or the nix binary itself (its
     *                  directory is used), or null to search PATH
     * @param systemctl systemctl's path (the NixOS module gives {@code ${systemd}/bin/systemctl}), or
     *                  null to search PATH; systemd-run is taken from the same directory, so both
     *                  come from one systemd
     */
    public static SystemCommands of(Path nixBin, Path systemctl, Path currentSystem, Path systemProfile,
                                    Path bootedSystem) {
        String nixDir = null;
        if (nixBin != null) {
            nixDir = Files.isDirectory(nixBin) ? nixBin.toString()
                    : nixBin.getParent() == null ? "." : nixBin.getParent().toString();
        }
        String systemdDir = systemctl == null || systemctl.getParent() == null ? null : systemctl.getParent().toString();
        return new SystemCommands(inDir(nixDir, "nix"), inDir(nixDir, "nix-env"), inDir(nixDir, "nix-store"),
                systemctl == null ? "systemctl" : systemctl.toString(), inDir(systemdDir, "systemd-run"),
                currentSystem, systemProfile, bootedSystem);
    }

    private static String inDir(String dir, String program) {
        return dir == null ? program : Path.of(dir, program).toString();
    }
}
