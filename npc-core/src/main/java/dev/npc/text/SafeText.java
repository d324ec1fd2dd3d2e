package dev.npc.text;

/**
 * Makes text that came from the bucket or a server safe to print on a terminal or in a log line.
 *
 * <p>Anyone who can write the bucket (or a compromised host writing its state.json) chooses the
 * text npc prints: an error, an archive entry's name, a remote's metadata. Printed raw, control
 * characters in it act on the admin's terminal: ESC sequences clear the screen, hide text, retitle
 * the window or plant OSC-8 links; C1 controls do the same in 8-bit form; a carriage return or a
 * new line forges rows of a table; bidi overrides and other invisible format characters make
 * text read differently from what it is (CVE-2021-42574, "Trojan Source").
 *
 * <p>Each such character becomes visible instead, as a backslash, 'x' or 'u' and its hex code
 * ({@code \x1b} for ESC, u202e after the backslash for RLO). Nothing is silently dropped, so an
 * admin sees that something was there. Unsafe are: C0 controls, DEL and
 * C1 controls (Unicode category Cc), format characters (Cf: bidi embeddings, overrides and
 * isolates U+202A..U+202E and U+2066..U+2069, the marks U+200E/U+200F/U+061C, zero-width
 * characters, the BOM, tag characters), the line and paragraph separators U+2028/U+2029, and
 * lone surrogates.
 */
public final class SafeText {
    private SafeText() { }

    /**
     * For a one-line field (a table cell, a log line, an error message): tabs, carriage returns and
     * new lines become spaces, every other unsafe character its escape.
     *
     * @return null for null
     */
    public static String line(String text) {
        return clean(text, false);
    }

    /** For text of several lines (a log tail): like {@link #line} but new lines stay; "\r\n" becomes "\n". */
    public static String lines(String text) {
        return clean(text, true);
    }

    /** Whether {@code codePoint} must not reach a terminal as it is. */
    public static boolean unsafe(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    private static String clean(String text, boolean keepNewlines) {
        if (text == null) {
            return null;
        }
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (!unsafe(c)) {
                out.appendCodePoint(c);
            } else if (c == '\n') {
                out.append(keepNewlines ? '\n' : ' ');
            } else if (c == '\r') {
                if (!(keepNewlines && i < text.length() && text.charAt(i) == '\n')) {
                    out.append(' ');
                }
            } else if (c == '\t') {
                out.append(' ');
            } else if (c <= 0xFF) {
                out.append(String.format("\\x%02x", c));
            } else if (c <= 0xFFFF) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append(String.format("\\U%08x", c));
            }
        }
        return out.toString();
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (unsafe(c)) {
                return i;
            }
            i += Character.charCount(c);
        }
        return -1;
    }
}
