package dev.npc.fleet;

/**
 * How a host stands against what it was told to run, most urgent first: {@code npc status}
 * sorts by this order so problems come first.
 */
public enum HostStatus {
    FAILED("failed", true),
    ROLLED_BACK("rolled back", true),
    STALE("stale", true),
    UNKNOWN("unknown", false),
    IN_PROGRESS("in progress", false),
    /** A new version is built and waits for the maintenance window (held back on purpose). */
    WAITING("waiting", false),
    /** Runs the version, healthy, but the booted kernel, initrd or kernel parameters are the old ones. */
    REBOOT_REQUIRED("reboot required", false),
    PENDING("pending", false),
    PAUSED("paused", false),
    UP_TO_DATE("up to date", false);

    private final String label;
    private final boolean problem;

    HostStatus(String label, boolean problem) {
        this.label = label;
        this.problem = problem;
    }

    public String label() {
        return label;
    }

    /** The JSON form: stable, lower-case, hyphenated. */
    public String id() {
        return dev.npc.json.EnumNames.of(this);
    }

    public boolean isProblem() {
        return problem;
    }

    /** The host runs the version it was told to run (a reboot may still be due). */
    public boolean runsDesired() {
        return this == UP_TO_DATE || this == REBOOT_REQUIRED;
    }
}
