package dev.npc.tests.demo;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo block (written by tools/readme-figures.sh demo) against what the demo prints:
 * the same story in the same order, told by the same kinds of lines. Versions, store paths,
 * numbers and times differ from run to run and are compared by their shape only; the daemons'
 * log lines interleave as threads run, so they are compared as sets.
 */
public final class DemoOutput {
    static final String BEGIN = "<!-- BEGIN FIGURES demo:";
    static final String END = "<!-- END FIGURES demo -->";
    /** A line a simulated host logs: four spaces, then the host's name. */
    private static final Pattern HOST_LINE = Pattern.compile(" {4}(canary-1|web-\\d+) .*");

    private DemoOutput() { }

    /** The lines of the README's demo block, inside its code fence. */
    public static List<String> readmeBlock(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "README.md has no demo block between its markers");
        List<String> lines = readme.substring(readme.indexOf('\n', begin) + 1, end).lines().toList();
        assertTrue(lines.size() > 2 && lines.get(0).equals("```") && lines.get(lines.size() - 1).equals("```"),
                "the demo block is one code block: " + lines);
        return lines.subList(1, lines.size() - 1);
    }

    /**
     * Fails unless {@code block} tells the story of steps 6 and 7 of {@code demoOutput}: the same
     * command, CLI and status lines in the same order, every host line one the demo prints, and
     * every line the canary logs in those steps shown.
     */
    public static void assertSameShape(List<String> block, String demoOutput) {
        List<String> all = demoOutput.lines().toList();
        int from = indexOfPrefix(all, "[6/7]");
        int to = all.indexOf("  $ npc remotes");
        assertTrue(from >= 0 && to > from, "the demo printed no steps 6 and 7:\n" + demoOutput);
        List<String> steps = all.subList(from, to);

        assertEquals(shapeList(story(steps)), shapeList(story(block)),
                "the README's demo block does not tell the demo's story; run tools/readme-figures.sh demo");
        Set<String> printed = shapeSet(hostLines(all));
        Set<String> shown = shapeSet(hostLines(block));
        assertTrue(printed.containsAll(shown), "the README shows host lines the demo does not print: "
                + minus(shown, printed) + "; run tools/readme-figures.sh demo");
        // A poll that found nothing new is not something the canary does, and whether one falls
        // before the promote depends on how busy the machine is (it did under load).
        Set<String> canary = shapeSet(hostLines(steps).stream()
                .filter(l -> l.startsWith("    canary-1 ") && !l.endsWith(" is up to date")).toList());
        assertTrue(shown.containsAll(canary), "the README leaves out what the canary does: " + minus(canary, shown)
                + "; run tools/readme-figures.sh demo");
    }

    /** What is compared of a line: hashes, numbers and spacing made uniform. */
    static String shape(String line) {
        return line.replaceAll("/nix/store/[0-9a-z]{8}(?:[0-9a-z]{24}|\\.\\.\\.)-", "/nix/store/H-")
                .replaceAll("\\b[0-9a-f]{8}(?:[0-9a-f]{56}\\b|\\.\\.\\.|\\b)", "H")
                .replaceAll("\\d+(\\.\\d+)?", "N")
                .replaceAll("N[smhd] ago", "N ago")
                .replaceAll("\\s+", " ")
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    private static List<String> story(List<String> lines) {
        return lines.stream().filter(l -> !HOST_LINE.matcher(l).matches()).map(String::stripTrailing)
                .dropWhile(String::isEmpty).toList();
    }

    private static List<String> hostLines(List<String> lines) {
        return lines.stream().filter(l -> HOST_LINE.matcher(l).matches()).toList();
    }

    /** The shapes in order, without trailing blank lines. */
    private static List<String> shapeList(List<String> lines) {
        List<String> shapes = lines.stream().map(DemoOutput::shape).toList();
        int last = shapes.size();
        while (last > 0 && shapes.get(last - 1).isEmpty()) {
            last--;
        }
        return shapes.subList(0, last);
    }

    private static Set<String> shapeSet(List<String> lines) {
        Set<String> shapes = new TreeSet<>();
        lines.forEach(l -> shapes.add(shape(l)));
        return shapes;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
