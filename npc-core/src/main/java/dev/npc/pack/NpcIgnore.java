package dev.npc.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The patterns of a {@code .npcignore} file at the top of a flake directory that is not in git:
 * a subset of gitignore, enough to leave out build output, secrets and scratch files.
 *
 * <ul>
 *   <li>one pattern per line; blank lines and lines starting with {@code #} are skipped;
 *       trailing spaces are trimmed</li>
 *   <li>{@code *} matches any characters but {@code /}; {@code ?} matches one character but
 *       {@code /}</li>
 *   <li>{@code **} matches across directories: {@code **}{@code /x} is {@code x} at any depth,
 *       {@code a/**} everything inside {@code a}, {@code a/**}{@code /b} {@code b} anywhere under
 *       {@code a}</li>
 *   <li>a trailing {@code /} matches directories only</li>
 *   <li>a pattern with a {@code /} at the start or in the middle is anchored at the flake
 *       directory; without one it matches a name at any depth</li>
 *   <li>an ignored directory is left out with everything in it</li>
 * </ul>
 * Not supported, and refused so nobody relies on them silently: negation ({@code !}), character
 * classes ({@code [...]}) and backslash escapes. Only the top-level {@code .npcignore} is read.
 */
final class NpcIgnore {
    static final String FILE_NAME = ".npcignore";

    private record Rule(Pattern pattern, boolean anchored, boolean directoryOnly) { }

    private final List<Rule> rules;

    private NpcIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    static NpcIgnore none() {
        return new NpcIgnore(List.of());
    }

    /** Parses the file's text; a pattern outside the subset is refused with its line number. */
    static NpcIgnore parse(String text) throws PackException {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = FILE_NAME + " line " + (i + 1) + " '" + line + "'";
            if (line.startsWith("!")) {
                throw new PackException(where + ": negation is not supported; list only what to leave out");
            }
            if (line.contains("[") || line.contains("\\")) {
                throw new PackException(where + ": character classes and escapes are not supported; use * and ?");
            }
            boolean directoryOnly = line.endsWith("/");
            String body = directoryOnly ? line.substring(0, line.length() - 1) : line;
            boolean anchored = body.contains("/");
            if (body.startsWith("/")) {
                body = body.substring(1);
            }
            if (body.isEmpty()) {
                throw new PackException(where + ": the pattern is empty; remove the line");
            }
            rules.add(new Rule(Pattern.compile(toRegex(body)), anchored, directoryOnly));
        }
        return new NpcIgnore(List.copyOf(rules));
    }

    /**
     * @param path        '/'-separated path relative to the flake directory
     * @param isDirectory whether the path is a real directory (not a link to one)
     */
    boolean ignores(String path, boolean isDirectory) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        for (Rule rule : rules) {
            if (rule.directoryOnly && !isDirectory) {
                continue;
            }
            if (rule.pattern.matcher(rule.anchored ? path : name).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i) && (i == 0 || glob.charAt(i - 1) == '/')) {
                regex.append("(?:.*/)?");
                i += 3;
            } else if (glob.startsWith("**", i) && i + 2 == glob.length() && (i == 0 || glob.charAt(i - 1) == '/')) {
                regex.append(".*");
                i += 2;
            } else if (c == '*') {
                regex.append("[^/]*");
                i++;
            } else if (c == '?') {
                regex.append("[^/]");
                i++;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return regex.toString();
    }
}
