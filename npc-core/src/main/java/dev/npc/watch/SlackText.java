package dev.npc.watch;

import dev.npc.text.SafeText;

import java.util.regex.Pattern;

/**
 * Makes text from the bucket safe inside a chat message. A host's error is chosen by whoever can
 * write its state.json: in Slack's text, {@code <!channel>} pings everyone, {@code <https://x|y>}
 * hides a link behind harmless words, and a plain {@code @channel} pings where the app resolves
 * names. Slack's own rule for message text is to escape {@code & < >} as HTML entities, which
 * turns every such sequence into inert text; the mention words get a full-width at sign, which
 * reads the same and pings nobody. Control and invisible characters are dropped (new lines and
 * tabs become spaces): a message is one line, and it must read as what it is.
 */
public final class SlackText {
    /** Enough for an error's first line; the rest is in the host's state.json. */
    static final int MAX_CODE_POINTS = 500;
    private static final Pattern MENTION = Pattern.compile("@(?=(channel|here|everyone)\\b)", Pattern.CASE_INSENSITIVE);

    private SlackText() { }

    /** For a field of the text: hostile input in, inert one-line text out. null stays null. */
    public static String escape(String text) {
        String plain = plain(text);
        if (plain == null) {
            return null;
        }
        String escaped = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return MENTION.matcher(escaped).replaceAll("\uFF20");
    }

    /**
     * One line without control or invisible characters, bounded: for the JSON fields beside the
     * text, which scripts read as plain strings.
     */
    public static String plain(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CODE_POINTS + 1));
        int kept = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\n' || c == '\r' || c == '\t') {
                c = ' ';
            } else if (SafeText.unsafe(c)) {
                continue;
            }
            if (kept == MAX_CODE_POINTS) {
                out.append('\u2026');
                break;
            }
            out.appendCodePoint(c);
            kept++;
        }
        return out.toString().strip();
    }
}
