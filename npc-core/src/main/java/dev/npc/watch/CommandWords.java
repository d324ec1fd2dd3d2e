package dev.npc.watch;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code --on-change} command into its words the way a shell would for quoting alone
 * (single quotes, double quotes, backslash), and no further: no variables, globs, pipes or
 * redirections. So no shell runs unless the command names one ({@code sh -c '...'}).
 */
public final class CommandWords {
    private CommandWords() { }

    public static List<String> split(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < command.length() && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) {
                    word.append(command.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < command.length()) {
                word.append(command.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("--on-change '" + command + "' has an unclosed " + quote
                    + "; close the quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new IllegalArgumentException("--on-change is empty; give a command, e.g. --on-change '/usr/local/bin/page-me'");
        }
        return List.copyOf(words);
    }
}
