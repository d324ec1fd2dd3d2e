package dev.npc.host;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.npc.json.EnumNames;

/** How an activation attempt ended: state.json's {@code lastAttempt.result}, and the history record's name. */
public enum Result {
    SUCCESS,
    FAILED,
    ROLLED_BACK,
    /** Stopped (SIGTERM, kill -9, power loss) before it ended: not the version's fault. */
    INTERRUPTED,
    /** A result this version of npc does not know (a newer daemon wrote it); never written by this one. */
    UNKNOWN;

    /** Its JSON name, e.g. {@code rolled-back}; also how messages, hooks and history records show it. */
    @JsonValue
    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    @JsonCreator
    public static Result of(String json) {
        return EnumNames.parse(Result.class, json, UNKNOWN);
    }
}
