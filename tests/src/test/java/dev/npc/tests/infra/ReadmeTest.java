package dev.npc.tests.infra;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's commands and figures are the real ones: its test command is exactly what CI runs,
 * and its benchmark tables (and bench/README's and docs/reliability.md's) are what
 * tools/readme-figures.sh writes from the runs kept in bench/results/, not typed. (The demo
 * block is checked against the demo's output by DemoTest and FreshCloneTest.)
 */
class ReadmeTest {
    private static final List<String> FIGURE_FILES = List.of("README.md", "bench/README.md", "docs/reliability.md");

    @TempDir
    Path work;

    @Test
    void theReadmesTestCommandIsExactlyWhatCiRuns() throws IOException {
        List<String> readme = Files.readAllLines(Checkout.file("README.md"));
        List<String> ci = Files.readAllLines(Checkout.file(".ci/run"));
        String ciCommand = ci.get(ci.indexOf("# The README's test command:") + 1);

        int section = readme.indexOf("## The test command");
        assertTrue(section >= 0 && readme.get(section + 2).equals("```sh"), "README.md has a test command block");
        assertEquals(ciCommand, readme.get(section + 3), "the README's test command is what .ci/run runs");
        assertEquals("```", readme.get(section + 4), "one command");
        int tryIt = readme.indexOf("## Try it: two commands, only a JDK needed");
        List<String> twoCommands = readme.subList(tryIt + 3, tryIt + 3 + readme.subList(tryIt + 3, readme.size()).indexOf("```"));
        assertEquals(List.of("./npc demo", ciCommand), twoCommands.stream().map(l -> l.replaceFirst("\\s+#.*", "")).toList(),
                "the two commands: the demo and the tests");
        assertTrue(ci.stream().noneMatch(l -> l.matches("\\s*export\\s+(LANG|LC_\\w+)=.*")),
                "the tests set their own locale (the poms), so CI sets none");
    }

    @Test
    void theBenchmarkTablesAreWhatTheKeptRunsGive() {
        Command.Run check = Command.run(List.of(Checkout.file("tools/readme-figures.sh").toString(), "bench", "--check"),
                Map.of(), Checkout.root());

        assertEquals(0, check.exit(), check.describe());
    }

    @Test
    void aTypedFigureIsFoundAndTheScriptPutsTheMeasuredOneBack() throws IOException {
        Path copy = work.resolve("checkout");
        for (String file : List.of("tools/readme-figures.sh", "README.md", "bench/README.md", "docs/reliability.md")) {
            Files.createDirectories(copy.resolve(file).getParent());
            Files.copy(Checkout.file(file), copy.resolve(file), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(copy.resolve("bench/results"));
        try (var results = Files.list(Checkout.file("bench/results"))) {
            for (Path result : results.toList()) {
                Files.copy(result, copy.resolve("bench/results").resolve(result.getFileName()));
            }
        }
        String measured = Files.readString(copy.resolve("bench/results/pack.txt"))
                .lines().filter(l -> l.startsWith("figure npc.time=")).findFirst().orElseThrow().substring(16);
        Path readme = copy.resolve("README.md");
        String original = Files.readString(readme);
        Files.writeString(readme, original.replace("| " + measured + ", ", "| 0.01 s, "));
        Path script = copy.resolve("tools/readme-figures.sh");

        Command.Run check = Command.run(List.of(script.toString(), "bench", "--check"), Map.of(), copy);
        assertEquals(1, check.exit(), check.describe());
        assertTrue(check.stderr().contains("README.md (bench-summary)"), check.describe());

        Command.Run write = Command.run(List.of(script.toString(), "bench"), Map.of(), copy);
        assertEquals(0, write.exit(), write.describe());
        assertEquals(original, Files.readString(readme));
        for (String file : FIGURE_FILES) {
            assertEquals(Files.readString(Checkout.file(file)), Files.readString(copy.resolve(file)), file);
        }
    }
}
