package dev.npc.daemon.stage;

import dev.npc.host.Action;

/**
 * Step 6, roll back: puts back what ran and what was going to boot before the attempt, so a failed
 * switch or failed health check leaves the host as it was, its profile and its bootloader default
 * agreeing as they did. The rollback's switches run in the same transient unit as any switch.
 */
public final class Rollback {
    private final Activator activator;

    public Rollback(Activator activator) {
        this.activator = activator;
    }

    public void restore(Generation previous, String action) throws StageFailure, InterruptedException {
        try {
            if (Action.TEST.equals(action)) {
                // test leaves the profile and the boot entry alone, so its rollback must too.
                activator.switchTo(required(previous.running(), "the previous system"), Action.TEST);
                return;
            }
            String profile = required(previous.profile(), "the system profile before the activation");
            activator.setProfile(profile);
            if (Action.BOOT.equals(action)) {
                // boot never changed what runs: only the boot default goes back.
                activator.switchTo(profile, Action.BOOT);
                return;
            }
            String running = required(previous.running(), "the previous system");
            if (RunningSystem.same(profile, running)) {
                activator.switchTo(running, Action.SWITCH);
                return;
            }
            // A generation staged with `boot` was waiting for the next boot. `switch` to the old
            // running system would make it the boot default (its bootloader install writes the
            // system it is run from as default) while the profile names the staged one. Activate
            // the old system without touching the boot entry, then make the staged generation the
            // boot default again: running, profile and bootloader are back as they were.
            activator.switchTo(running, Action.TEST);
            activator.switchTo(profile, Action.BOOT);
        } catch (SwitchBusy busy) {
            throw new StageFailure("cannot roll back now: " + busy.getMessage());
        }
    }

    private static String required(String path, String what) throws StageFailure {
        if (path == null) {
            throw new StageFailure("cannot roll back: " + what + " is unknown");
        }
        return path;
    }
}
