package dev.npc.time;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A maintenance window: when a host may switch to a new version and reboot, e.g.
 * {@code Sat 02:00-04:00 UTC}, {@code Mon..Fri 22:00-23:30 Europe/Berlin} or {@code 03:00-05:00}.
 *
 * <p>The grammar is one regular expression, {@link #GRAMMAR}; the NixOS module's type
 * (nixos/module.nix) and the Terraform host module's validation (terraform/modules/host) spell
 * the same expression, and all three are tested against one table,
 * npc-core/src/test/resources/dev/npc/time/windows.json:
 *
 * <pre>
 * window = [DAYS " "+] HH:MM ("-" | "..") HH:MM [" "+ ZONE]
 * DAYS   = DAY [(".." | "-") DAY] ("," DAY [(".." | "-") DAY])*
 * DAY    = Mon | Tue | Wed | Thu | Fri | Sat | Sun | Monday | ... | Sunday
 * HH:MM  = 00:00 to 23:59, two digits each; the end may also be 24:00
 * ZONE   = UTC, or a time zone name such as Europe/Berlin; none: the host's own time zone
 * </pre>
 *
 * <p>Day names, their ranges and lists are systemd's (systemd.time(7)), case as written there; a
 * range may wrap ({@code Fri..Mon} is Friday to Monday). The days are the days the window
 * <em>opens</em>; without days it opens every day. An end at or before the start closes on the next
 * day: {@code Sat 23:00-01:00} is Saturday 23:00 to Sunday 01:00, {@code 02:00-02:00} lasts 24
 * hours. Times are wall-clock times in the zone (a start in a daylight-saving gap moves forward by
 * the gap, as java.time resolves it).
 *
 * <p>What a regular expression cannot check is checked here only: a zone name must be one this
 * host's time-zone database knows (java.time's), so {@code Mars/Olympus} passes the module's type
 * but the daemon refuses it, with that reason.
 */
public final class MaintenanceWindow {
    private static final String DAY = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
            + "|Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
    private static final String DAY_ITEM = DAY + "((\\.\\.|-)" + DAY + ")?";
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]";
    private static final String ZONE = "[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*";

    /** The whole grammar, anchored; Terraform (RE2) and Nix (POSIX ERE) spell the same expression. */
    public static final String GRAMMAR = "^(" + DAY_ITEM + "(," + DAY_ITEM + ")* +)?" + TIME + "(-|\\.\\.)(" + TIME
            + "|24:00)( +" + ZONE + ")?$";
    private static final Pattern PATTERN = Pattern.compile(GRAMMAR);
    private static final List<String> NAMES = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    private static final int DAY_MINUTES = 24 * 60;

    private static final String EXAMPLES = "write e.g. 'Sat 02:00-04:00 UTC', 'Mon..Fri 22:00-23:30 Europe/Berlin'"
            + " or '03:00-05:00' (days, then HH:MM-HH:MM, then an optional time zone)";

    private final String text;
    private final Set<DayOfWeek> days;
    private final int start;
    private final int end;
    /** Null: the host's own time zone, given at each use. */
    private final ZoneId zone;

    private MaintenanceWindow(String text, Set<DayOfWeek> days, int start, int end, ZoneId zone) {
        this.text = text;
        this.days = days;
        this.start = start;
        this.end = end;
        this.zone = zone;
    }

    /**
     * @throws IllegalArgumentException one line naming the window, what is wrong and what to write
     */
    public static MaintenanceWindow parse(String text) {
        if (text == null || !PATTERN.matcher(text).matches()) {
            throw new IllegalArgumentException("maintenance window '" + text + "' is not valid; " + EXAMPLES);
        }
        String[] words = text.split(" +");
        int at = 0;
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        if (Character.isLetter(words[0].charAt(0))) {
            days = days(words[at++]);
        }
        String range = words[at++];
        int dots = range.indexOf("..");
        String from = dots >= 0 ? range.substring(0, dots) : range.substring(0, range.indexOf('-'));
        String to = dots >= 0 ? range.substring(dots + 2) : range.substring(range.indexOf('-') + 1);
        ZoneId zone = at < words.length ? zone(text, words[at]) : null;
        return new MaintenanceWindow(text, days, minutes(from), minutes(to), zone);
    }

    /** The window as it was written: how reports and logs name it. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MaintenanceWindow window && window.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The days the window opens on, Monday first. */
    public Set<DayOfWeek> days() {
        return EnumSet.copyOf(days);
    }

    /** Minutes after midnight the window opens, and closes (at or before the start: on the next day; 1440 is 24:00). */
    public int startMinute() {
        return start;
    }

    public int endMinute() {
        return end;
    }

    /** The zone the times are in, or null for the host's own. */
    public ZoneId zone() {
        return zone;
    }

    /** Whether the window is open at {@code now}; {@code local} is the host's time zone, used when the window names none. */
    public boolean isOpen(Instant now, ZoneId local) {
        return closes(now, local) != null;
    }

    /** When the window open at {@code now} closes, or null when it is closed at {@code now}. */
    public Instant closes(Instant now, ZoneId local) {
        ZoneId in = zone != null ? zone : local;
        LocalDate today = now.atZone(in).toLocalDate();
        // A window is at most 24 hours long, so only one that opened yesterday or today can be open.
        for (LocalDate day = today.minusDays(1); !day.isAfter(today); day = day.plusDays(1)) {
            if (days.contains(day.getDayOfWeek())) {
                Instant opens = opening(day, in);
                Instant closes = closing(day, in);
                if (!now.isBefore(opens) && now.isBefore(closes)) {
                    return closes;
                }
            }
        }
        return null;
    }

    /** The next time the window opens after {@code now} (an open window's next opening, not its current one). */
    public Instant nextOpening(Instant now, ZoneId local) {
        ZoneId in = zone != null ? zone : local;
        LocalDate today = now.atZone(in).toLocalDate();
        for (LocalDate day = today.minusDays(1); day.isBefore(today.plusDays(9)); day = day.plusDays(1)) {
            if (days.contains(day.getDayOfWeek())) {
                Instant opens = opening(day, in);
                if (opens.isAfter(now) && closing(day, in).isAfter(opens)) {
                    return opens;
                }
            }
        }
        throw new IllegalStateException("maintenance window '" + text + "' never opens");
    }

    private Instant opening(LocalDate day, ZoneId in) {
        return ZonedDateTime.of(day, LocalTime.of(start / 60, start % 60), in).toInstant();
    }

    private Instant closing(LocalDate day, ZoneId in) {
        LocalDate on = end > start ? day : day.plusDays(1);
        if (end == DAY_MINUTES) {
            return on.plusDays(1).atStartOfDay(in).toInstant();
        }
        return ZonedDateTime.of(on, LocalTime.of(end / 60, end % 60), in).toInstant();
    }

    /** A list of days and wrapping ranges, as the grammar allows them. */
    private static Set<DayOfWeek> days(String list) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : list.split(",")) {
            String[] ends = item.split("\\.\\.|-");
            DayOfWeek first = day(ends[0]);
            DayOfWeek last = day(ends[ends.length - 1]);
            for (DayOfWeek d = first; ; d = d.plus(1)) {
                days.add(d);
                if (d == last) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String name) {
        return DayOfWeek.of(NAMES.indexOf(name.substring(0, 3)) + 1);
    }

    private static int minutes(String hhmm) {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
    }

    private static ZoneId zone(String text, String name) {
        if ("UTC".equals(name)) {
            return ZoneOffset.UTC;
        }
        if (!ZoneId.getAvailableZoneIds().contains(name)) {
            throw new IllegalArgumentException("maintenance window '" + text + "': time zone '" + name
                    + "' is not in this host's time zone database; write UTC or a zone name such as Europe/Berlin"
                    + " (names are case-sensitive), or leave it out for the host's own time zone");
        }
        return ZoneId.of(name);
    }
}
