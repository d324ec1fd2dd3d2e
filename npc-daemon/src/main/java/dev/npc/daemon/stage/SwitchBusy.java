package dev.npc.daemon.stage;

/**
 * Another switch runs on this host (a manual nixos-rebuild, or a switch-to-configuration holding
 * its lock): not a failure of the version npc was about to activate, so it is tried again at the
 * next poll and never counted against the version's retries.
 */
public final class SwitchBusy extends Exception {
    public SwitchBusy(String message) {
        super(message);
    }
}
