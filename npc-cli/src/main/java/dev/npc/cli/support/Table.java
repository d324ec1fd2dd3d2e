package dev.npc.cli.support;

import java.util.ArrayList;
import java.util.List;

/** A plain text table with left-aligned columns, as people expect from kubectl or bento status. */
public final class Table {
    private static final java.util.regex.Pattern COLOUR = java.util.regex.Pattern.compile("\u001B\\[[0-9;]*m");
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    public Table(String... header) {
        this.columns = header.length;
        rows.add(header);
    }

    public Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns);
        }
        rows.add(cells);
        return this;
    }

    public String render() {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], visibleLength(row[i]));
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                out.append(row[i]);
                if (i < columns - 1) {
                    out.append(" ".repeat(widths[i] - visibleLength(row[i]) + 2));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** ANSI colour codes take no room on screen. */
    private static int visibleLength(String cell) {
        // Most cells have no colour: no pattern to run (a fleet's table has 80,000 cells, measured twice).
        return cell.indexOf('\u001B') < 0 ? cell.length() : COLOUR.matcher(cell).replaceAll("").length();
    }
}
