package dev.npc.host;

import java.util.Set;

/** The {@code switch-to-configuration} actions a host may be told to run. */
public final class Action {
    public static final String SWITCH = "switch";
    public static final String BOOT = "boot";
    public static final String TEST = "test";
    private static final Set<String> ALL = Set.of(SWITCH, BOOT, TEST);

    private Action() { }

    public static boolean isValid(String action) {
        return ALL.contains(action);
    }
}
