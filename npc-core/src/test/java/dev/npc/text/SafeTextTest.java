package dev.npc.text;

import dev.npc.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTextTest {
    @Test
    void ordinaryTextIsReturnedAsItIs() {
        String text = "build failed: nginx.service – ünïcödé, 日本語, emoji \uD83D\uDE00";
        assertSame(text, SafeText.line(text));
        assertNull(SafeText.line(null));
    }

    @Test
    void controlsBecomeVisibleEscapes() {
        assertEquals("a\\x1b[2Jb", SafeText.line("a\u001B[2Jb"));
        assertEquals("\\x1b]8;;https://evil/\\x07link\\x1b]8;;\\x07", SafeText.line("\u001B]8;;https://evil/\u0007link\u001B]8;;\u0007"));
        assertEquals("\\x9b31m \\x7f \\x00", SafeText.line("\u009B31m \u007F \u0000"));
    }

    @Test
    void bidiOverridesIsolatesAndInvisiblesBecomeVisible() {
        assertEquals("invoice\\u202egnp.exe", SafeText.line("invoice\u202Egnp.exe"));
        assertEquals("\\u2066x\\u2069 \\u200b \\u200e \\ufeff \\u2028", SafeText.line("\u2066x\u2069 \u200B \u200E \uFEFF \u2028"));
        assertEquals("\\U000e0041", SafeText.line("\uDB40\uDC41")); // a tag character, invisible
        assertEquals("\\ud800x", SafeText.line("\uD800x")); // a lone surrogate
    }

    @Test
    void lineBreaksAreSpacesInALineAndKeptInLines() {
        assertEquals("one two three four", SafeText.line("one\ntwo\rthree\tfour"));
        assertEquals("one\ntwo\nthree four", SafeText.lines("one\r\ntwo\nthree\rfour"));
    }

    @Test
    void jsonKeepsTheTextExactButWritesNothingUnsafe() throws Exception {
        String hostile = "x\u001B[2J\u009B\u202E\u2066\u007F\u200By";
        String json = Json.writeString(Map.of("error", hostile));
        for (char c : json.toCharArray()) {
            assertFalse(SafeText.unsafe(c) && c != '\n', "raw U+" + Integer.toHexString(c) + " in " + json);
        }
        assertTrue(json.contains("\\u202e") || json.contains("\\u202E"), json);
        assertEquals(hostile, Json.mapper().readTree(json).get("error").asText(), "the value reads back exactly");
    }
}
