package dev.npc.tests.infra;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an ExecStart= line the way systemd does for the quoting the NixOS module emits: words
 * separated by spaces, double-quoted words with C escapes, and "%%" / "$$" standing for "%" / "$".
 */
final class SystemdExecLine {
    private SystemdExecLine() { }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ') {
                i++;
            } else if (c == '"') {
                StringBuilder word = new StringBuilder();
                i++;
                while (line.charAt(i) != '"') {
                    if (line.charAt(i) == '\\') {
                        i++;
                        char escaped = line.charAt(i);
                        switch (escaped) {
                            case 'n' -> word.append('\n');
                            case 't' -> word.append('\t');
                            case 'u' -> {
                                word.append((char) Integer.parseInt(line.substring(i + 1, i + 5), 16));
                                i += 4;
                            }
                            default -> word.append(escaped);
                        }
                    } else {
                        word.append(line.charAt(i));
                    }
                    i++;
                }
                i++;
                words.add(unescapeSpecifiers(word.toString()));
            } else {
                int end = line.indexOf(' ', i);
                end = end < 0 ? line.length() : end;
                words.add(unescapeSpecifiers(line.substring(i, end)));
                i = end;
            }
        }
        return words;
    }

    private static String unescapeSpecifiers(String word) {
        if (word.matches(".*(?<![%$])[%$](?![%$]).*")) {
            throw new IllegalArgumentException("systemd would expand a lone % or $ in: " + word);
        }
        return word.replace("%%", "%").replace("$$", "$");
    }
}
