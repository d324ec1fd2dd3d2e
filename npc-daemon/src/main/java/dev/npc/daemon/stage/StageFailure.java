package dev.npc.daemon.stage;

/** A stage could not do its job: one line on what failed, and the last lines of the output. */
public final class StageFailure extends Exception {
    private final String logTail;
    private final boolean refusal;

    public StageFailure(String message, String logTail) {
        this(message, logTail, false);
    }

    public StageFailure(String message) {
        this(message, null, false);
    }

    private StageFailure(String message, String logTail, boolean refusal) {
        super(message);
        this.logTail = logTail == null || logTail.isBlank() ? null : logTail;
        this.refusal = refusal;
    }

    /**
     * The version was refused (not signed for what the host would do with it): trying it again
     * cannot change that, so it is reported once and not retried until it changes.
     */
    public static StageFailure refusal(String message) {
        return new StageFailure(message, null, true);
    }

    public String logTail() {
        return logTail;
    }

    public boolean refusal() {
        return refusal;
    }
}
