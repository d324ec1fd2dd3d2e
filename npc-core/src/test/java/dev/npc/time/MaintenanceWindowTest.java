package dev.npc.time;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's side of the one window grammar: every row of windows.json, the table the NixOS
 * module's type and the Terraform module's validation are checked against too, parses to its
 * days, times and zone or is refused; then what a window means at a given instant.
 */
class MaintenanceWindowTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void everyRowOfTheSharedTableParsesToItsMeaningOrIsRefused() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (JsonNode row : table()) {
            String text = row.get("text").asText();
            boolean accepted = row.get("valid").asBoolean() && !row.path("zoneUnknown").asBoolean(false);
            MaintenanceWindow window;
            try {
                window = MaintenanceWindow.parse(text);
            } catch (IllegalArgumentException e) {
                if (accepted) {
                    wrong.add("'" + text + "' was refused: " + e.getMessage());
                }
                continue;
            }
            if (!accepted) {
                wrong.add("'" + text + "' was accepted");
                continue;
            }
            List<String> days = window.days().stream()
                    .map(d -> d.getDisplayName(TextStyle.SHORT, Locale.ENGLISH)).toList();
            String meaning = days + " " + hhmm(window.startMinute()) + "-" + hhmm(window.endMinute()) + " "
                    + (window.zone() == null ? null : window.zone().getId().replace("Z", "UTC"));
            List<String> expectedDays = new ArrayList<>();
            row.get("days").forEach(d -> expectedDays.add(d.asText()));
            String expected = expectedDays + " " + row.get("start").asText() + "-" + row.get("end").asText() + " "
                    + (row.get("zone").isNull() ? null : row.get("zone").asText());
            if (!meaning.equals(expected)) {
                wrong.add("'" + text + "' means " + meaning + ", not " + expected);
            }
            if (!window.toString().equals(text)) {
                wrong.add("'" + text + "' is named '" + window + "'");
            }
        }
        assertEquals(List.of(), wrong);
        assertTrue(table().size() > 50, "the table covers days, ranges, times, zones and refusals");
    }

    @Test
    void refusalsNameTheWindowAndSayWhatToWrite() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> MaintenanceWindow.parse("Sat 2:00-4:00"));
        assertEquals("maintenance window 'Sat 2:00-4:00' is not valid; write e.g. 'Sat 02:00-04:00 UTC',"
                + " 'Mon..Fri 22:00-23:30 Europe/Berlin' or '03:00-05:00' (days, then HH:MM-HH:MM, then an optional"
                + " time zone)", bad.getMessage());
        IllegalArgumentException zone = assertThrows(IllegalArgumentException.class,
                () -> MaintenanceWindow.parse("Sat 02:00-04:00 Mars/Olympus"));
        assertTrue(zone.getMessage().contains("time zone 'Mars/Olympus' is not in this host's time zone database;"
                + " write UTC or a zone name such as Europe/Berlin"), zone.getMessage());
    }

    @Test
    void aWindowIsOpenFromItsStartUntilItsEndOnItsDays() {
        MaintenanceWindow window = MaintenanceWindow.parse("Sat 02:00-04:00 UTC");
        // 2026-11-28 is a Saturday.
        assertFalse(window.isOpen(at("2026-11-28T01:59:59Z"), ZoneOffset.UTC));
        assertTrue(window.isOpen(at("2026-11-28T02:00:00Z"), ZoneOffset.UTC));
        assertEquals(at("2026-11-28T04:00:00Z"), window.closes(at("2026-11-28T03:59:59Z"), ZoneOffset.UTC));
        assertFalse(window.isOpen(at("2026-11-28T04:00:00Z"), ZoneOffset.UTC), "the end is not in the window");
        assertFalse(window.isOpen(at("2026-11-29T03:00:00Z"), ZoneOffset.UTC), "Sunday is not Saturday");
        assertEquals(at("2026-11-28T02:00:00Z"), window.nextOpening(at("2026-11-23T10:00:00Z"), ZoneOffset.UTC));
        assertEquals(at("2026-12-05T02:00:00Z"), window.nextOpening(at("2026-11-28T02:00:00Z"), ZoneOffset.UTC),
                "while open, the next opening is a week later");
    }

    @Test
    void anEndAtOrBeforeTheStartClosesTheNextDay() {
        MaintenanceWindow overnight = MaintenanceWindow.parse("Sat 23:00-01:00 UTC");
        assertTrue(overnight.isOpen(at("2026-11-29T00:30:00Z"), ZoneOffset.UTC), "Sunday 00:30 is Saturday's window");
        assertNull(overnight.closes(at("2026-11-30T00:30:00Z"), ZoneOffset.UTC), "Monday 00:30 is not");
        MaintenanceWindow day = MaintenanceWindow.parse("02:00-02:00 UTC");
        assertTrue(day.isOpen(at("2026-11-24T01:59:00Z"), ZoneOffset.UTC), "24 hours: always open");
        assertEquals(at("2026-11-24T02:00:00Z"), day.closes(at("2026-11-24T01:59:00Z"), ZoneOffset.UTC));
        MaintenanceWindow whole = MaintenanceWindow.parse("Sun 00:00-24:00 UTC");
        assertTrue(whole.isOpen(at("2026-11-29T23:59:59Z"), ZoneOffset.UTC));
        assertFalse(whole.isOpen(at("2026-11-30T00:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void aRangeMayWrapAroundTheWeek() {
        MaintenanceWindow weekend = MaintenanceWindow.parse("Fri..Mon 12:00-13:00 UTC");
        assertEquals(List.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY),
                List.copyOf(weekend.days()));
        assertEquals(at("2026-11-27T12:00:00Z"), weekend.nextOpening(at("2026-11-24T12:00:00Z"), ZoneOffset.UTC),
                "from Tuesday, Friday is next");
    }

    @Test
    void timesAreWallClockTimesInTheZoneAcrossDaylightSaving() {
        MaintenanceWindow berlin = MaintenanceWindow.parse("Sun 03:00-04:00 Europe/Berlin");
        // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 03:00 CEST is 01:00 UTC.
        assertEquals(at("2026-03-29T01:00:00Z"), berlin.nextOpening(at("2026-03-28T12:00:00Z"), ZoneOffset.UTC));
        // In winter, 03:00 CET is 02:00 UTC.
        assertEquals(at("2026-11-29T02:00:00Z"), berlin.nextOpening(at("2026-11-28T12:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void withoutAZoneTheHostsOwnZoneApplies() {
        MaintenanceWindow local = MaintenanceWindow.parse("Sat 02:00-04:00");
        // 01:30 UTC is 02:30 in Berlin (CET, UTC+1): inside the window there, not on a host kept in UTC.
        assertFalse(local.isOpen(at("2026-11-28T01:30:00Z"), ZoneOffset.UTC));
        assertTrue(local.isOpen(at("2026-11-28T01:30:00Z"), BERLIN));
        assertEquals(at("2026-11-28T01:00:00Z"), local.nextOpening(at("2026-11-27T12:00:00Z"), BERLIN));
    }

    private static Instant at(String text) {
        return Instant.parse(text);
    }

    private static String hhmm(int minutes) {
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }

    static JsonNode table() throws IOException {
        try (InputStream in = MaintenanceWindowTest.class.getResourceAsStream("windows.json")) {
            return Json.mapper().readTree(in).get("windows");
        }
    }
}
