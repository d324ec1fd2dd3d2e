package dev.npc.daemon.stage;

import dev.npc.host.Action;

/**
 * Step 6, roll back: puts the remembered generation back in the system profile and activates the
 * system that ran before, so a failed switch or failed health check leaves the host as it was.
 */
public final class Rollback {
    private final Activator activator;

    public Rollback(Activator activator) {
        this.activator = activator;
    }

    /** @return the output of the old system's switch-to-configuration */
    public String restore(Generation previous, String action) throws StageFailure, InterruptedException {
        if (!Action.TEST.equals(action)) {
            if (previous.profile() == null) {
                throw new StageFailure("cannot roll back: there was no system profile before the activation");
            }
            activator.setProfile(previous.profile());
        }
        String old = Action.BOOT.equals(action) ? previous.profile() : previous.running();
        if (old == null) {
            throw new StageFailure("cannot roll back: the previous system is unknown");
        }
        // test leaves the boot entry alone, so its rollback must too; boot never changed what runs.
        String rollbackAction = Action.SWITCH.equals(action) ? Action.SWITCH : action;
        return activator.switchTo(old, rollbackAction);
    }
}
