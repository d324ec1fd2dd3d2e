package dev.npc.time;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * Reads time spans in systemd's grammar (systemd.time(7)), so one text means the same in the
 * NixOS module (whose type accepts exactly this grammar), in the unit file and in the daemon:
 * {@code 500ms}, {@code 30s}, {@code 5min}, {@code 1h30m}, {@code 2 h}, {@code 1.5h}, {@code 1d},
 * {@code 2weeks}; a number without a unit is seconds.
 *
 * <p>A port of {@code parse_time(t, &usec, USEC_PER_SEC)} in systemd's src/basic/time-util.c:
 * components are a decimal number with an optional fraction, optional white space and an optional
 * unit; a component without a unit must be followed by white space or the end. Units are matched
 * as systemd matches them (case-sensitive: {@code M} is a month, {@code m} a minute). npc refuses
 * {@code infinity}, which systemd accepts, because every span npc reads is a limit it must reach.
 */
public final class Durations {
    private static final long USEC_PER_MSEC = 1_000L;
    private static final long USEC_PER_SEC = 1_000_000L;
    private static final long USEC_PER_MINUTE = 60 * USEC_PER_SEC;
    private static final long USEC_PER_HOUR = 60 * USEC_PER_MINUTE;
    private static final long USEC_PER_DAY = 24 * USEC_PER_HOUR;
    private static final long USEC_PER_WEEK = 7 * USEC_PER_DAY;
    /** systemd's month and year: 30.44 and 365.25 days. */
    private static final long USEC_PER_MONTH = 2_629_800L * USEC_PER_SEC;
    private static final long USEC_PER_YEAR = 31_557_600L * USEC_PER_SEC;

    /** systemd's table, in systemd's order: the first suffix that prefixes the text wins. */
    private static final String[] SUFFIXES = {"seconds", "second", "sec", "s", "minutes", "minute", "min",
            "months", "month", "M", "msec", "ms", "m", "hours", "hour", "hr", "h", "days", "day", "d",
            "weeks", "week", "w", "years", "year", "y", "usec", "us", "\u03bcs", "\u00b5s"};
    private static final long[] MULTIPLIERS = {USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC,
            USEC_PER_MINUTE, USEC_PER_MINUTE, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MONTH, USEC_PER_MONTH,
            USEC_PER_MSEC, USEC_PER_MSEC, USEC_PER_MINUTE, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_HOUR,
            USEC_PER_HOUR, USEC_PER_DAY, USEC_PER_DAY, USEC_PER_DAY, USEC_PER_WEEK, USEC_PER_WEEK, USEC_PER_WEEK,
            USEC_PER_YEAR, USEC_PER_YEAR, USEC_PER_YEAR, 1, 1, 1, 1};

    private static final String EXAMPLES = "write e.g. 30s, 5min, 1h30m or 2 h (systemd's time span syntax)";

    private Durations() { }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration; " + EXAMPLES);
        }
        int length = text.length();
        int i = skipWhiteSpace(text, 0);
        if (text.startsWith("infinity", i)) {
            throw new IllegalArgumentException("duration '" + text + "': npc needs a finite limit; " + EXAMPLES);
        }
        long usec = 0;
        boolean something = false;
        while (true) {
            i = skipWhiteSpace(text, i);
            if (i == length) {
                if (!something) {
                    throw invalid(text);
                }
                return Duration.of(usec, ChronoUnit.MICROS);
            }
            if (text.charAt(i) == '-') {
                throw new IllegalArgumentException("duration '" + text + "' is negative; " + EXAMPLES);
            }
            int digits = i;
            while (i < length && isDigit(text.charAt(i))) {
                i++;
            }
            String whole = text.substring(digits, i);
            String fraction = null;
            if (i < length && text.charAt(i) == '.') {
                int from = ++i;
                while (i < length && isDigit(text.charAt(i))) {
                    i++;
                }
                fraction = text.substring(from, i);
                if (fraction.isEmpty()) {
                    throw invalid(text);
                }
            } else if (whole.isEmpty()) {
                throw invalid(text);
            }
            int afterNumber = i;
            int unitAt = skipWhiteSpace(text, i);
            long multiplier = USEC_PER_SEC;
            int next = unitAt;
            for (int u = 0; u < SUFFIXES.length; u++) {
                if (text.startsWith(SUFFIXES[u], unitAt)) {
                    multiplier = MULTIPLIERS[u];
                    next = unitAt + SUFFIXES[u].length();
                    break;
                }
            }
            // "12.34.56" or "5x": neither a unit nor white space after the number.
            if (next == afterNumber && next != length) {
                throw invalid(text);
            }
            i = next;
            long amount;
            try {
                amount = whole.isEmpty() ? 0 : Long.parseLong(whole);
            } catch (NumberFormatException e) {
                throw tooLarge(text);
            }
            if (amount >= Long.MAX_VALUE / multiplier) {
                throw tooLarge(text);
            }
            usec = add(usec, amount * multiplier, text);
            if (fraction != null) {
                long m = multiplier / 10;
                for (int f = 0; f < fraction.length(); f++, m /= 10) {
                    usec = add(usec, (fraction.charAt(f) - '0') * m, text);
                }
            }
            something = true;
        }
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

    private static long add(long usec, long more, String text) {
        if (more >= Long.MAX_VALUE - usec) {
            throw tooLarge(text);
        }
        return usec + more;
    }

    /** systemd's WHITESPACE: space, tab, newline, carriage return. */
    private static int skipWhiteSpace(String text, int i) {
        while (i < text.length() && " \t\n\r".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("duration '" + text + "' is not valid; " + EXAMPLES);
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("duration '" + text + "' is too large; " + EXAMPLES);
    }
}
