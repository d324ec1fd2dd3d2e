package dev.npc.bench;

import java.util.Locale;

/**
 * The figures a benchmark reports for the documentation, one {@code figure <key>=<value>} line
 * each on stdout. The bench scripts keep a run's output in {@code bench/results/}, and
 * {@code tools/readme-figures.sh bench} builds the README's and bench/README's tables from these
 * lines, so no figure is typed by hand. Values are formatted here, as the tables show them.
 */
public final class Figures {
    private Figures() { }

    /** Prints one figure; {@code format} is applied with the root locale (1,234.5). */
    public static void print(String key, String format, Object... args) {
        System.out.println("figure " + key + "=" + String.format(Locale.ROOT, format, args));
    }
}
