package dev.npc.host;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.npc.json.EnumNames;

import java.util.Arrays;
import java.util.List;

/**
 * What a host's daemon is doing: state.json's {@code phase}. Every phase but idle is an attempt (or
 * a reboot) under way.
 */
public enum Phase {
    IDLE,
    DOWNLOADING,
    BUILDING,
    ACTIVATING,
    CHECKING,
    ROLLING_BACK,
    /**
     * The daemon asked for a reboot (into a new kernel, or back after the new one failed its
     * checks) and the host goes down; the daemon that starts after the boot checks the result.
     */
    REBOOTING,
    /** A phase this version of npc does not know (a newer daemon wrote it); never written by this one. */
    UNKNOWN;

    private static final List<Phase> KNOWN = Arrays.stream(values()).filter(p -> p != UNKNOWN).toList();

    /** The phases this version writes, in the order an attempt goes through them. */
    public static List<Phase> known() {
        return KNOWN;
    }

    /** Its JSON name, e.g. {@code rolling-back}; also how messages and metrics show it. */
    @JsonValue
    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    @JsonCreator
    public static Phase of(String json) {
        return EnumNames.parse(Phase.class, json, UNKNOWN);
    }
}
