package dev.npc.tests.infra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No file of the repository (code, Nix, Terraform, docs) carries a placeholder that pretends to be
 * real: a fake hash, a made-up revision, an owner or repository nobody can fetch, or a note asking
 * the reader to fix it before use. Each would fail on a user's first real run. Example values that
 * say they are examples (example.com, my-fleet-bucket) are fine.
 */
class PlaceholderTest {
    /** What a placeholder looks like, and why it is refused. The patterns avoid matching their own text. */
    static final Map<Pattern, String> PLACEHOLDERS = Map.of(
            Pattern.compile("fake(Hash|Sha256|Sha512)"), "a fake hash (lib.fake...) that can never build",
            Pattern.compile("\\bsha(1|256|512)-([A-Za-z0-9+/])\\2{15,}"), "an SRI hash of one repeated character",
            Pattern.compile("(?<![0-9a-fA-F])([0-9a-f])\\1{31,}(?![0-9a-fA-F])"), "a hex hash or revision of one repeated digit",
            Pattern.compile("\\bnpc-dev(/|:)"), "the npc-dev owner, which nobody can fetch from",
            Pattern.compile("github(:|\\.com/)(OWNER|[Oo]wner|USER(NAME)?|YOUR[-_A-Za-z]*|[Yy]our-[a-z]+)/"),
                    "a placeholder owner",
            Pattern.compile("(?i)(update|replace|change|fill in)( (it|this|these|them|the \\w+))? before (real |first )?use"),
                    "a note to fix it before use",
            Pattern.compile("(?i)(TODO|FIXME)\\b:? *(update|replace|fill)"), "a note to fix it before use",
            Pattern.compile("\\b(CHANGE|REPLACE)[-_]?ME\\b"), "a value to replace");

    @Test
    void noTrackedFileCarriesAPlaceholder() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : projectFiles()) {
            byte[] bytes = Files.readAllBytes(file);
            if (isBinary(bytes)) {
                continue;
            }
            String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (Map.Entry<Pattern, String> placeholder : PLACEHOLDERS.entrySet()) {
                    if (placeholder.getKey().matcher(lines[i]).find()) {
                        found.add(Checkout.root().relativize(file) + ":" + (i + 1) + ": " + placeholder.getValue()
                                + ": " + lines[i].strip());
                    }
                }
            }
        }

        assertTrue(found.isEmpty(), found.size() + " placeholders in the repository (file:line: what: the line):\n"
                + String.join("\n", found) + "\n");
    }

    @Test
    void theCheckFindsEachKindOfPlaceholder() {
        List<String> samples = List.of(
                "mvnHash = lib." + "fake" + "Hash;",
                "hash = \"sha256-" + "A".repeat(43) + "=\";",
                "\"rev\": \"" + "0".repeat(40) + "\"",
                "url = \"github:" + "npc-dev" + "/npc\";",
                "source = \"github.com/" + "OWNER" + "/npc//terraform\"",
                "The pins in flake.lock: update them " + "before real use",
                "# TO" + "DO: replace with your bucket",
                "bucket = \"CHANGE" + "ME\"");
        for (String sample : samples) {
            assertTrue(PLACEHOLDERS.keySet().stream().anyMatch(p -> p.matcher(sample).find()), "not caught: " + sample);
        }
        for (String fine : List.of("https://alerts.example.com/npc", "s3://my-fleet-bucket/fleet",
                "github:NixOS/nixpkgs/nixos-25.05", "\"rev\": \"b2a3852bd078e68dd2b3dfa8c00c67af1f0a7d20\"",
                "sha256-afXE7AJ7MY6wY1pg/Y6UPHNYPy5GtUKeBkrZZ/gC71E=")) {
            assertTrue(PLACEHOLDERS.keySet().stream().noneMatch(p -> p.matcher(fine).find()), "caught a real value: " + fine);
        }
    }

    /** The files git tracks (what a clone has); outside git, every project file. */
    private static List<Path> projectFiles() throws IOException {
        Path root = Checkout.root();
        if (Tools.find("git").isPresent() && Files.exists(root.resolve(".git"))) {
            var result = Tools.run(List.of("git", "ls-files", "-z"), Map.of(), root);
            if (result.ok()) {
                List<Path> files = new ArrayList<>();
                for (String name : result.stdout().text().split("\0")) {
                    Path file = root.resolve(name);
                    if (!name.isEmpty() && Files.isRegularFile(file)) {
                        files.add(file);
                    }
                }
                return files;
            }
        }
        return Checkout.projectFiles();
    }

    private static boolean isBinary(byte[] bytes) {
        for (int i = 0; i < Math.min(bytes.length, 8000); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }
}
