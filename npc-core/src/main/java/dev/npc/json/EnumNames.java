package dev.npc.json;

import java.util.Locale;

/**
 * How npc's documents spell an enum constant: its name, lower-case and hyphenated
 * ({@code ROLLED_BACK} is {@code "rolled-back"}). The constant's name is then the one place its
 * JSON name is written.
 */
public final class EnumNames {
    private EnumNames() { }

    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant {@code json} names, or {@code unknown} when this version of npc does not know
     * it (a newer writer added it): readers tolerate new values as they tolerate new fields.
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String json, E unknown) {
        for (E constant : type.getEnumConstants()) {
            if (of(constant).equals(json)) {
                return constant;
            }
        }
        return unknown;
    }
}
