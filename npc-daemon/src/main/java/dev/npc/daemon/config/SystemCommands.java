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
 * @param currentSystem the running system link, {@code /run/current-system}
 * @param systemProfile the profile switch and boot set, {@code /nix/var/nix/profiles/system}
 */
public record SystemCommands(String nix, String nixEnv, String nixStore, String systemctl,
                             Path currentSystem, Path systemProfile) {
    public static final String DEFAULT_CURRENT_SYSTEM = "/run/current-system";
    public static final String DEFAULT_SYSTEM_PROFILE = "/nix/var/nix/profiles/system";

    /**
     * @param nixBin a directory holding nix, nix-env and nix-store, or the nix binary itself (its
     *               directory is used), or null to search PATH
     */
    public static SystemCommands of(String nixBin, String systemctl, String currentSystem, String systemProfile) {
        String nixDir = null;
        if (nixBin != null) {
            Path given = Path.of(nixBin);
            nixDir = Files.isDirectory(given) ? given.toString()
                    : given.getParent() == null ? "." : given.getParent().toString();
        }
        return new SystemCommands(inDir(nixDir, "nix"), inDir(nixDir, "nix-env"), inDir(nixDir, "nix-store"),
                systemctl == null ? "systemctl" : systemctl,
                Path.of(currentSystem == null ? DEFAULT_CURRENT_SYSTEM : currentSystem),
                Path.of(systemProfile == null ? DEFAULT_SYSTEM_PROFILE : systemProfile));
    }

    private static String inDir(String dir, String program) {
        return dir == null ? program : Path.of(dir, program).toString();
    }
}
