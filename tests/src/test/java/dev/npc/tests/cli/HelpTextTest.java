package dev.npc.tests.cli;

import dev.npc.cli.NpcCli;
import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.Seams;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help of both programs, as a person reads it in an 80-column terminal: no line
 * over 80 characters, no word stranded on a line of its own inside a paragraph (what a hand-made
 * line break plus picocli's wrap leaves), no word split where it has a dot or a hyphen (picocli's
 * wrap breaks "flake.nix" after the dot), every example on one line as written, at least one
 * example per command, and --debug listed.
 */
class HelpTextTest {
    private static final int WIDTH = 80;
    /** picocli's own "help" subcommand: its text is picocli's. */
    private static final String PICOCLI_HELP = "help";

    @Test
    void everyCommandsHelpReadsWellAt80Columns() {
        List<String> problems = new ArrayList<>();
        for (CommandLine command : commands()) {
            problems.addAll(problems(command));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theCheckFindsWhatItLooksFor() {
        CommandSpec spec = CommandSpec.create().name("npc broken");
        spec.usageMessage().description("A first line written by hand, long enough that picocli must wrap its last word: here",
                "and a second line.", "", "A paragraph naming a file whose name picocli's wrap splits after the dot: flake.nix")
                .footerHeading("%nExamples:%n")
                .footer("  npc other --with an example that names another command and is far too long to fit");
        List<String> found = problems(new CommandLine(spec));
        assertTrue(found.stream().anyMatch(p -> p.contains("stranded word 'here'")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("word split across lines: ") && p.endsWith("flake. / nix")),
                found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("example split")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("no example")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains("--debug is not listed")), found.toString());
    }

    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(NpcCli.commandLine(), all);
        collect(NpcDaemon.commandLine(Seams.system()), all);
        return all;
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        String name = command.getCommandSpec().qualifiedName();
        if (!command.getCommandName().equals(PICOCLI_HELP)) {
            into.add(command);
        }
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    private static List<String> problems(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        spec.usageMessage().width(WIDTH);
        String name = spec.qualifiedName();
        List<String> problems = new ArrayList<>();
        String usage = command.getUsageMessage(Ansi.OFF);
        String[] usageLines = usage.split("\n", -1);
        String written = writtenText(spec);
        for (int i = 0; i < usageLines.length; i++) {
            String line = usageLines[i];
            if (line.length() > WIDTH) {
                problems.add(name + ": line over " + WIDTH + " columns: " + line);
            }
            if (i + 1 < usageLines.length && !line.isBlank() && !usageLines[i + 1].isBlank()) {
                String[] before = line.strip().split("\\s+");
                String after = usageLines[i + 1].strip().split("\\s+")[0];
                String joined = before[before.length - 1] + after;
                if (written.contains(joined)) {
                    problems.add(name + ": word split across lines: " + line.strip() + " / " + usageLines[i + 1].strip());
                }
            }
        }
        Help help = new Help(spec, Help.defaultColorScheme(Ansi.OFF));
        for (String section : List.of(help.description(), help.footer())) {
            problems.addAll(stranded(name, section));
        }
        List<String> rendered = List.of(usage.split("\n", -1));
        boolean example = false;
        Pattern self = Pattern.compile("(^|[\\s/])" + Pattern.quote(name) + "(\\s|$)");
        for (String line : footerLines(spec)) {
            if (!line.startsWith("  ") || line.isBlank()) {
                continue;
            }
            if (!rendered.contains(line)) {
                problems.add(name + ": example split across lines: " + line.strip());
            }
            example |= self.matcher(line).find();
        }
        if (!example) {
            problems.add(name + ": no example of " + name + " in its help");
        }
        if (spec.findOption("--debug") == null || !usage.contains("--debug")) {
            problems.add(name + ": --debug is not listed");
        }
        return problems;
    }

    /** One-word lines of prose inside a paragraph: not its first line and not its last (examples are indented). */
    private static List<String> stranded(String name, String section) {
        List<String> problems = new ArrayList<>();
        String[] lines = section.split("\n", -1);
        for (int i = 1; i + 1 < lines.length; i++) {
            String line = lines[i].strip();
            boolean prose = !lines[i].startsWith(" ");
            if (prose && !line.isEmpty() && !line.contains(" ") && !lines[i - 1].isBlank() && !lines[i + 1].isBlank()) {
                problems.add(name + ": stranded word '" + line + "' in: " + lines[i - 1].strip() + " / " + line
                        + " / " + lines[i + 1].strip());
            }
        }
        return problems;
    }

    /**
     * Everything written for the help: a word that appears whole here but was rendered as the end
     * of one line and the start of the next was split by the wrap (picocli breaks "flake.nix"
     * after the dot).
     */
    private static String writtenText(CommandSpec spec) {
        List<String> texts = new ArrayList<>();
        texts.addAll(List.of(spec.usageMessage().description()));
        texts.addAll(List.of(spec.usageMessage().footer()));
        spec.options().forEach(option -> texts.addAll(List.of(option.description())));
        spec.positionalParameters().forEach(parameter -> texts.addAll(List.of(parameter.description())));
        spec.subcommands().values().forEach(sub -> texts.addAll(List.of(sub.getCommandSpec().usageMessage().description())));
        return String.join("\n", texts);
    }

    /** The footer as written in the command, one line per %n. */
    private static List<String> footerLines(CommandSpec spec) {
        List<String> lines = new ArrayList<>();
        for (String footer : spec.usageMessage().footer()) {
            lines.addAll(List.of(String.format(footer).split("\\R", -1)));
        }
        return lines;
    }
}
