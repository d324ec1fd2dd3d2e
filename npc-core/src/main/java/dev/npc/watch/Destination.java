package dev.npc.watch;

/** Somewhere an event goes: a webhook, a command. Each is delivered to on its own. */
public interface Destination {
    /** Stable across restarts and free of secrets (the state file keys the outbox by it). */
    String id();

    /** For log lines: names the destination without its secret part (a webhook's path). */
    String describe();

    /** One try; never throws for a failure of the destination, it says so in the answer. */
    Delivery deliver(WatchEvent event) throws InterruptedException;

    sealed interface Delivery permits Delivered, Failed { }

    record Delivered() implements Delivery { }

    /**
     * @param reason     one line, for the log and the state file
     * @param permanent  the destination refused this event (a 4xx): trying again will not help
     *                   much, so it is tried a bounded number of times
     * @param retryAfter what the destination asked for (429's Retry-After), or null
     */
    record Failed(String reason, boolean permanent, java.time.Duration retryAfter) implements Delivery { }
}
