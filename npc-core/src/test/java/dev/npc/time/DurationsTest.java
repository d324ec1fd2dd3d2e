package dev.npc.time;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon's side of the one time-span grammar: every row of time-spans.json, the table the
 * NixOS module's type is checked against too (tests/.../NixosModuleTest), parses to its value or
 * is refused.
 */
class DurationsTest {

    @Test
    void everyRowOfTheSharedTableParsesToItsValueOrIsRefused() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (JsonNode row : table()) {
            String text = row.get("text").asText();
            JsonNode micros = row.get("micros");
            try {
                Duration parsed = Durations.parse(text);
                if (micros.isNull()) {
                    wrong.add("'" + text + "' was accepted as " + parsed);
                } else if (!parsed.equals(Duration.of(micros.asLong(), ChronoUnit.MICROS))) {
                    wrong.add("'" + text + "' gave " + parsed + ", not " + micros.asLong() + "us");
                }
            } catch (IllegalArgumentException e) {
                if (!micros.isNull()) {
                    wrong.add("'" + text + "' was refused: " + e.getMessage());
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void refusalsSayWhatToWrite() {
        IllegalArgumentException soon = assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
        assertTrue(soon.getMessage().contains("'soon' is not valid; write e.g. 30s, 5min"), soon.getMessage());
        IllegalArgumentException forever = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("infinity"));
        assertTrue(forever.getMessage().contains("finite"), forever.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("99999999999999999999s"));
        assertTrue(huge.getMessage().contains("too large"), huge.getMessage());
    }

    @Test
    void formatIsShortAndReadsBack() {
        for (String text : List.of("45s", "5m", "2h30m", "500ms", "1h")) {
            assertEquals(text, Durations.format(Durations.parse(text)));
        }
    }

    static JsonNode table() throws IOException {
        try (InputStream in = DurationsTest.class.getResourceAsStream("time-spans.json")) {
            return Json.mapper().readTree(in).get("spans");
        }
    }
}
