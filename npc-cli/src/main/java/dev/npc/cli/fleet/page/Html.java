package dev.npc.cli.fleet.page;

import dev.npc.text.SafeText;

/**
 * Text for the fleet page. Everything on it that came from the bucket (host names, errors, log
 * tails, remote metadata) is chosen by whoever can write the bucket or by a compromised host, so
 * it goes through here: markup characters become entities (a text node and a quoted attribute
 * value alike), and control, bidi and other invisible characters are shown as SafeText's visible
 * escapes rather than reaching the page, where they would make text read as something it is not.
 */
public final class Html {
    private Html() { }

    /** One line of text: new lines and tabs become spaces. Null becomes the empty string. */
    public static String text(String text) {
        return escape(SafeText.line(text));
    }

    /** Text of several lines (a log tail, for a {@code <pre>}): new lines stay. */
    public static String lines(String text) {
        return escape(SafeText.lines(text));
    }

    private static String escape(String safe) {
        if (safe == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(safe.length() + 16);
        for (int i = 0; i < safe.length(); i++) {
            char c = safe.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
