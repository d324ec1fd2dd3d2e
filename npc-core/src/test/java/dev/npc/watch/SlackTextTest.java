package dev.npc.watch;

import dev.npc.process.ShellCommand;
import dev.npc.process.SystemProcessRunner;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small parts of npc watch: chat escaping, command words, backoff bounds. */
class SlackTextTest {
    @Test
    void slackSyntaxAndControlCharactersFromTheBucketBecomeInertText() {
        assertEquals("&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|docs&gt; a &amp;amp; b",
                SlackText.escape("<!channel> <@U123> <https://evil|docs> a &amp; b"));
        assertEquals("\uFF20channel \uFF20Here \uFF20everyone mail@example.com @channelx",
                SlackText.escape("@channel @Here @everyone mail@example.com @channelx"));
        // ESC goes; what followed it is plain text in a chat.
        assertEquals("[31mred[0m text two lines", SlackText.escape("\u001b[31mred\u001b[0m text\u202e\ntwo\tlines\u0007"));
        assertNull(SlackText.escape(null));
        String flood = SlackText.plain("x".repeat(10_000));
        assertEquals(SlackText.MAX_CODE_POINTS + 1, flood.codePointCount(0, flood.length()));
        assertTrue(flood.endsWith("\u2026"));
    }

    @Test
    void anOnChangeCommandLineMustHoldACommand() {
        assertEquals(List.of("/bin/sh", "-c", "logger -t 'npc watch' | true"),
                ShellCommand.argv(ShellCommand.check("--on-change", "logger -t 'npc watch' | true")));
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
                () -> new CommandDestination("   ", new SystemProcessRunner()));
        assertEquals("--on-change is empty; give a command line, e.g. --on-change 'logger -t npc'", blank.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ShellCommand.check("--on-change", "a\0b"));
    }

    @Test
    void backoffGrowsFromOneSecondToFiveMinutesAndNeverPast() {
        Backoff backoff = new Backoff(new Random(7));
        for (int attempts = 1; attempts < 80; attempts++) {
            Duration wait = backoff.after(attempts);
            long step = Math.min(1000L << Math.min(attempts - 1, 20), Backoff.MAX.toMillis());
            assertTrue(wait.toMillis() >= step / 2 && wait.toMillis() <= step, attempts + ": " + wait);
        }
        assertEquals(Backoff.MAX, Backoff.bounded(Duration.ofDays(1)));
        assertEquals(Backoff.FIRST, Backoff.bounded(Duration.ZERO));
    }
}
