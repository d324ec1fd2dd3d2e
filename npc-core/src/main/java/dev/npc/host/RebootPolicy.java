package dev.npc.host;

import dev.npc.json.EnumNames;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Whether the daemon may reboot the host when a switch brought a kernel, initrd or kernel
 * parameters the booted system does not run: desired.json's and the module's {@code reboot}.
 */
public enum RebootPolicy {
    /** Report "reboot required" and leave the reboot to a person (the default). */
    NEVER,
    /** Reboot inside the maintenance window (any time when there is none), check, roll back if unhealthy. */
    ALLOWED;

    /** Its JSON name: {@code never} or {@code allowed}. */
    @Override
    public String toString() {
        return EnumNames.of(this);
    }

    /** @throws IllegalArgumentException naming the value and the ones allowed */
    public static RebootPolicy parse(String text) {
        for (RebootPolicy policy : values()) {
            if (policy.toString().equals(text)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("reboot '" + text + "' is not one of "
                + Arrays.stream(values()).map(RebootPolicy::toString).collect(Collectors.joining(", ")));
    }
}
