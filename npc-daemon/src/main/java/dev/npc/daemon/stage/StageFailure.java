package dev.npc.daemon.stage;

/** A stage could not do its job: one line on what failed, and the last lines of the output. */
public final class StageFailure extends Exception {
    private final String logTail;

    public StageFailure(String message, String logTail) {
        super(message);
        this.logTail = logTail == null || logTail.isBlank() ? null : logTail;
    }

    public StageFailure(String message) {
        this(message, null);
    }

    public String logTail() {
        return logTail;
    }
}
