package dev.npc.watch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.npc.json.EnumNames;

/** The changes {@code npc watch} tells about: the ones a person has to act on, and the all-clear. */
public enum EventKind {
    HOST_FAILED,
    HOST_ROLLED_BACK,
    HOST_STALE,
    /** Back to up to date after one of the three above. */
    HOST_RECOVERED,
    /** rollouts/last.json says the last rollout stopped at a wave. */
    ROLLOUT_STOPPED,
    UNKNOWN;

    /** The JSON form: host-failed, rollout-stopped... */
    @JsonValue
    public String id() {
        return EnumNames.of(this);
    }

    @JsonCreator
    public static EventKind of(String json) {
        return EnumNames.parse(EventKind.class, json, UNKNOWN);
    }
}
