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
    public static final String DEFAULT_CURRENT_SYSTEM = "/run/current-system";
    public static final String DEFAULT_SYSTEM_PROFILE = "/nix/var/nix/profiles/system";
    public static final String DEFAULT_BOOTED_SYSTEM = "/run/booted-system";

    /**
     * @param nixBin a directory holding nix, nix-env and nix-store, or the nix binary itself (its
     *               directory is used), or null to search PATH
     */
    public static SystemCommands of(String nixBin, String systemctl, String currentSystem, String systemProfile) {
        return of(nixBin, systemctl, currentSystem, systemProfile, null);
    }

    /**
     * @param systemctl systemctl's path (the NixOS module gives {@code ${systemd}/bin/systemctl});
     *                  systemd-run is taken from the same directory, so both come from one systemd
     */
    public static SystemCommands of(String nixBin, String systemctl, String currentSystem, String systemProfile,
                                    String bootedSystem) {
        String nixDir = null;
        if (nixBin != null) {
            Path given = Path.of(nixBin);
            nixDir = Files.isDirectory(given) ? given.toString()
                    : given.getParent() == null ? "." : given.getParent().toString();
        }
        String systemdDir = systemctl == null || Path.of(systemctl).getParent() == null ? null
                : Path.of(systemctl).getParent().toString();
        return new SystemCommands(inDir(nixDir, "nix"), inDir(nixDir, "nix-env"), inDir(nixDir, "nix-store"),
                systemctl == null ? "systemctl" : systemctl, inDir(systemdDir, "systemd-run"),
                Path.of(currentSystem == null ? DEFAULT_CURRENT_SYSTEM : currentSystem),
                Path.of(systemProfile == null ? DEFAULT_SYSTEM_PROFILE : systemProfile),
                Path.of(bootedSystem == null ? DEFAULT_BOOTED_SYSTEM : bootedSystem));
    }

    private static String inDir(String dir, String program) {
        return dir == null ? program : Path.of(dir, program).toString();
    }
}
