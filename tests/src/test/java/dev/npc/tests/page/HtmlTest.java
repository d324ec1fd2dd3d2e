package dev.npc.tests.page;

import dev.npc.cli.fleet.page.Html;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fleet page's escaper against what a bucket writer or a compromised host can put in a text. */
class HtmlTest {
    @Test
    void markupBecomesTextInANodeAndInAQuotedAttribute() {
        assertEquals("&lt;script&gt;alert(1)&lt;/script&gt;", Html.text("<script>alert(1)</script>"));
        assertEquals("&quot; onmouseover=&quot;x", Html.text("\" onmouseover=\"x"));
        assertEquals("&#39; autofocus onfocus=&#39;x", Html.text("' autofocus onfocus='x"));
        assertEquals("a &amp;lt; b &amp;amp;", Html.text("a &lt; b &amp;"), "entities in the input stay as typed");
        assertEquals("&lt;/pre&gt;&lt;img src=x&gt;", Html.lines("</pre><img src=x>"));
    }

    @Test
    void controlAndBidiCharactersNeverReachThePageRaw() {
        String hostile = "ok\u001B[2J\u0007\u009B31m\u202Egnp.exe\u202C\u2066x\u2069\u200B\u200F\uFEFF\u2028end\u0000";
        String shown = Html.text(hostile);
        shown.codePoints().forEach(c -> assertFalse(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                || c == 0x2028, "U+" + Integer.toHexString(c) + " reached the page in " + shown));
        assertEquals("ok\\x1b[2J\\x07\\x9b31m\\u202egnp.exe\\u202c\\u2066x\\u2069\\u200b\\u200f\\ufeff\\u2028end\\x00", shown,
                "each is shown as its code, so a reader sees something was there");
        assertEquals("a b c", Html.text("a\nb\r\nc").replace("  ", " "), "one line: new lines are spaces");
        assertEquals("line 1\nline 2 &lt;b&gt;\n", Html.lines("line 1\r\nline 2 <b>\n"), "a log tail keeps its lines");
        assertTrue(Html.text("\uD800 lone").startsWith("\\ud800"), "a lone surrogate is shown, not sent");
    }

    @Test
    void nothingIsEmptyText() {
        assertEquals("", Html.text(null));
        assertEquals("", Html.lines(null));
        assertEquals("web-1 prod-canary 0.1.0", Html.text("web-1 prod-canary 0.1.0"));
    }
}
