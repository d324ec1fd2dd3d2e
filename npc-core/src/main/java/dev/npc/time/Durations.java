package dev.npc.time;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the durations people type: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, {@code 1h30m}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() { }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration; write e.g. 30s, 5m or 2h");
        }
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher matcher = PART.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = matcher.end();
        }
        if (end != value.length() || end == 0) {
            throw new IllegalArgumentException("duration '" + text + "' is not valid; write e.g. 30s, 5m, 2h or 1h30m");
        }
        return total;
    }

    /** The short form used in tables and logs: 45s, 5m, 2h30m. */
    public static String format(Duration duration) {
        long s = duration.getSeconds();
        if (s < 60) {
            return s == 0 && duration.toMillis() > 0 ? duration.toMillis() + "ms" : s + "s";
        }
        if (s < 3600) {
            return s % 60 == 0 ? s / 60 + "m" : s / 60 + "m" + s % 60 + "s";
        }
        return s % 3600 / 60 == 0 ? s / 3600 + "h" : s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
