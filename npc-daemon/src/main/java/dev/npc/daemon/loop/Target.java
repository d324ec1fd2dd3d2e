package dev.npc.daemon.loop;

import dev.npc.digest.Sha256;

/**
 * What desired.json and the remote together ask this host to run.
 *
 * @param prebuilt a toplevel built elsewhere, or null to build from the flake
 */
public record Target(String remote, String sha256, String configuration, String action, String prebuilt) {

    /** Identifies the target for retry counting: a new version or configuration starts afresh. */
    public String key() {
        return sha256 + "/" + configuration + "/" + (prebuilt == null ? "" : prebuilt);
    }

    /** How log lines name it: {@code 1a2b3c4d (prod/web-1)}. */
    public String label() {
        return Sha256.shortForm(sha256) + " (" + remote + "/" + configuration + ")";
    }
}
