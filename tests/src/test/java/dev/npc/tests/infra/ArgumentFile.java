package dev.npc.tests.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-argument-per-line files (bin/jvm.options, nix/maven-build.args), read by the rules
 * nix/args-file.nix and java's @argument files apply: blank lines skipped, `#` to the end of the
 * line is a comment. A line that is not one plain argument fails the test that reads it.
 */
final class ArgumentFile {
    static final String ARGUMENT = "[A-Za-z0-9=:,._/+-]+";

    private ArgumentFile() { }

    static List<String> read(Path file) {
        try {
            List<String> args = new ArrayList<>();
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).replaceAll("#.*", "").strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (!line.matches(ARGUMENT)) {
                    throw new AssertionError(file + " line " + (i + 1) + ": '" + line + "' is not one argument");
                }
                args.add(line);
            }
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
