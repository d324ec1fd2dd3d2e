package dev.npc.host;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.remote.RemoteName;
import dev.npc.time.MaintenanceWindow;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code hosts/<host>/desired.json}: what a host should run. Written by Terraform or
 * {@code npc hosts set}; read by the host's daemon. Every field but {@code remote} is optional.
 * {@code window} (added) is the maintenance window new versions are switched and reboots made in
 * ({@link MaintenanceWindow}), {@code reboot} (added) whether the daemon may reboot
 * ({@link RebootPolicy}); both replace the daemon's own setting when present.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Desired(String remote, String configuration, String action, Boolean paused, String prebuilt,
                      String window, String reboot) {
    public static final Pattern STORE_PATH = Pattern.compile("/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+");
    public static final Pattern CONFIGURATION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Follow {@code remote}, everything else as the daemon defaults it. */
    public static Desired of(String remote) {
        return new Desired(remote, null, null, null, null, null, null);
    }

    public Desired withConfiguration(String configuration) {
        return new Desired(remote, configuration, action, paused, prebuilt, window, reboot);
    }

    /** Paused is written as {@code true}; not paused as absent. */
    public Desired withPaused(boolean paused) {
        return new Desired(remote, configuration, action, paused ? Boolean.TRUE : null, prebuilt, window, reboot);
    }

    /** @param window a maintenance window ({@link MaintenanceWindow}), or null for the daemon's own */
    public Desired withWindow(String window) {
        return new Desired(remote, configuration, action, paused, prebuilt, window, reboot);
    }

    /** @param reboot {@code never} or {@code allowed}, or null for the daemon's own setting */
    public Desired withReboot(String reboot) {
        return new Desired(remote, configuration, action, paused, prebuilt, window, reboot);
    }

    /** The configuration to build: the one named, else the host's own name. */
    public String configurationOr(String host) {
        return configuration == null ? host : configuration;
    }

    public String actionOrDefault(String defaultAction) {
        return action == null ? defaultAction : action;
    }

    /** The window desired.json names, else {@code fallback} (the daemon's --window, or null for none). */
    public MaintenanceWindow windowOr(MaintenanceWindow fallback) {
        return window == null ? fallback : MaintenanceWindow.parse(window);
    }

    public RebootPolicy rebootOr(RebootPolicy fallback) {
        return reboot == null ? fallback : RebootPolicy.parse(reboot);
    }

    public boolean isPaused() {
        return Boolean.TRUE.equals(paused);
    }

    /** Written out, as HostState's records are (see HostState#equals): compared at every poll. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Desired other && Objects.equals(remote, other.remote)
                && Objects.equals(configuration, other.configuration) && Objects.equals(action, other.action)
                && Objects.equals(paused, other.paused) && Objects.equals(prebuilt, other.prebuilt)
                && Objects.equals(window, other.window) && Objects.equals(reboot, other.reboot);
    }

    @Override
    public int hashCode() {
        return Objects.hash(remote, configuration, action, paused, prebuilt, window, reboot);
    }

    /** Parses and validates, so a bad document becomes one clear error instead of a bad build. */
    public static Desired parse(byte[] bytes, String what) throws InvalidDocumentException {
        Desired desired = Json.read(bytes, Desired.class, what);
        desired.validate(what);
        return desired;
    }

    public Desired validate(String what) throws InvalidDocumentException {
        if (remote == null) {
            throw new InvalidDocumentException(what + " has no \"remote\"; set the remote this host follows");
        }
        try {
            RemoteName.check(remote);
        } catch (IllegalArgumentException e) {
            throw new InvalidDocumentException(what + ": " + e.getMessage());
        }
        if (configuration != null && !CONFIGURATION.matcher(configuration).matches()) {
            throw new InvalidDocumentException(what + ": configuration '" + configuration
                    + "' is not valid; use a nixosConfigurations attribute name from [A-Za-z0-9._-]");
        }
        if (action != null && !Action.isValid(action)) {
            throw new InvalidDocumentException(what + ": action '" + action + "' is not one of switch, boot, test");
        }
        if (prebuilt != null && !STORE_PATH.matcher(prebuilt).matches()) {
            throw new InvalidDocumentException(what + ": prebuilt '" + prebuilt
                    + "' is not a /nix/store path; give the toplevel path built elsewhere");
        }
        if (window != null) {
            try {
                MaintenanceWindow.parse(window);
            } catch (IllegalArgumentException e) {
                throw new InvalidDocumentException(what + ": " + e.getMessage());
            }
        }
        if (reboot != null) {
            try {
                RebootPolicy.parse(reboot);
            } catch (IllegalArgumentException e) {
                throw new InvalidDocumentException(what + ": " + e.getMessage());
            }
        }
        return this;
    }
}
