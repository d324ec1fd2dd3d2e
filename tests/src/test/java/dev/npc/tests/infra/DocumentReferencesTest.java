package dev.npc.tests.infra;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every document the repository cites is one it holds: a {@code *.md} name in a code comment,
 * a Nix, Terraform or shell file or a Markdown page, and every relative Markdown link (with its
 * {@code #anchor}, when it has one), resolves to a file of the checkout. A document that lived
 * elsewhere (a design note, a contract between helpers) cannot be read by the next maintainer.
 */
class DocumentReferencesTest {
    /** A document name: a path ending in .md, not part of a longer name or a URL's host. */
    private static final Pattern MD_NAME = Pattern.compile("(?<![\\w.~-])(/?[\\w.~-][\\w./~-]*\\w\\.md)(?![\\w-])");
    /** A Markdown link or image: [text](target "title"). */
    private static final Pattern MD_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** Files the Nix package installs as documentation, which the NixOS module may cite. */
    private static final Pattern PACKAGE_DOC = Pattern.compile("\\$out/share/doc/npc/([\\w./-]+)");
    private static final String PACKAGE_DOC_DIR = "share/doc/npc/";
    private static final Set<String> SCANNED_SUFFIXES = Set.of(".java", ".md", ".nix", ".tf", ".tftpl", ".sh", ".js",
            ".xml", ".options", ".args");
    /** Scripts without a suffix. */
    private static final Set<String> SCANNED_NAMES = Set.of("npc", "npc-daemon", "run", "mvnw");

    @Test
    void everyCitedDocumentIsInTheRepository() throws IOException {
        List<String> dangling = new ArrayList<>();
        Set<String> packageDocs = packageDocs();
        for (Path file : Checkout.trackedFiles()) {
            if (scanned(file)) {
                dangling.addAll(check(file, packageDocs));
            }
        }

        assertTrue(dangling.isEmpty(), dangling.size() + " references to documents the repository does not hold"
                + " (file:line: reference: why); cite the document that holds the fact, or add it:\n"
                + String.join("\n", dangling) + "\n");
    }

    @Test
    void theCheckFindsDanglingNamesLinksAndAnchors() throws IOException {
        Path dir = Files.createTempDirectory(Checkout.root().resolve("tests/target"), "references-");
        try {
            // The names are put together here, so this source itself cites no missing document: the
            // first in a comment (a citation), the second in a string literal (code, not a citation).
            String missing = "NO-SUCH-DOCUMENT" + ".md";
            String inCode = "NOT-SCANNED" + ".md";
            Path java = Files.writeString(dir.resolve("Example.java"), String.join("\n",
                    "/** The layout of " + missing + ", see docs/format.md. */",
                    "class Example { String s = \"" + inCode + "\"; } /" + "/ and ../../../README.md#no-such-heading",
                    ""));
            Path page = Files.writeString(dir.resolve("page.md"), String.join("\n",
                    "# A page",
                    "[ok](#a-page), [gone](#gone), [file](../../../docs/format.md#the-signed-message-v2),",
                    "[missing](missing.md), [web](https://example.com/x.md), [dir](../../../docs), https://example.com/y.md",
                    "served as file:///nix/store/x-npc/share/doc/npc/nowhere.md",
                    ""));

            assertEquals(List.of(
                    rel(java) + ":1: " + missing + ": no such file",
                    rel(java) + ":2: ../../../README.md#no-such-heading: no heading 'no-such-heading' in README.md"),
                    check(java, packageDocs()));
            assertEquals(List.of(
                    rel(page) + ":2: #gone: no heading 'gone' in page.md",
                    rel(page) + ":3: missing.md: no such file",
                    rel(page) + ":4: /nix/store/x-npc/share/doc/npc/nowhere.md: the Nix package installs no"
                            + " share/doc/npc/nowhere.md (nix/package.nix)"),
                    check(page, packageDocs()));
        } finally {
            dev.npc.files.Trees.deleteRecursively(dir);
        }
    }

    @Test
    void headingAnchorsAreGitHubs() {
        assertEquals("the-signed-message-v2", anchor("The signed message (v2)"));
        assertEquals("npc-status---json-schema-1", anchor("`npc status --json` (schema 1)"));
        assertEquals("desiredjson", anchor("`desired.json`"));
        assertEquals("first-boot-from-terraform-apply-to-a-host-that-runs-only-signed-remotes",
                anchor("First boot: from `terraform apply` to a host that runs only signed remotes"));
    }

    private static boolean scanned(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot >= 0 ? SCANNED_SUFFIXES.contains(name.substring(dot)) : SCANNED_NAMES.contains(name);
    }

    /** The dangling references of one file, as "file:line: reference: why". */
    private static List<String> check(Path file, Set<String> packageDocs) throws IOException {
        List<String> problems = new ArrayList<>();
        boolean java = file.getFileName().toString().endsWith(".java");
        boolean markdown = file.getFileName().toString().endsWith(".md");
        String[] lines = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String text = java ? comment(lines[i]) : lines[i];
            Set<String> seen = new HashSet<>();
            if (markdown || java) {
                Matcher link = MD_LINK.matcher(text);
                while (link.find()) {
                    String target = link.group(1);
                    seen.add(target);
                    if (!external(target)) {
                        String problem = problem(file, target, packageDocs);
                        if (problem != null) {
                            problems.add(rel(file) + ":" + (i + 1) + ": " + target + ": " + problem);
                        }
                    }
                }
            }
            Matcher name = MD_NAME.matcher(text);
            while (name.find()) {
                Matcher anchor = Pattern.compile("#[\\w-]+").matcher(text).region(name.end(), text.length());
                String reference = name.group(1) + (anchor.lookingAt() ? anchor.group() : "");
                if (seen.stream().anyMatch(target -> target.endsWith(reference)) || inUrl(text, name.start())) {
                    continue;
                }
                String problem = problem(file, reference, packageDocs);
                if (problem != null) {
                    problems.add(rel(file) + ":" + (i + 1) + ": " + reference + ": " + problem);
                }
            }
        }
        return problems;
    }

    /** Why {@code reference} (a path, maybe with an #anchor) from {@code file} does not resolve, or null. */
    private static String problem(Path file, String reference, Set<String> packageDocs) throws IOException {
        int hash = reference.indexOf('#');
        String path = hash < 0 ? reference : reference.substring(0, hash);
        String anchor = hash < 0 ? null : reference.substring(hash + 1);
        int doc = path.indexOf(PACKAGE_DOC_DIR);
        if (doc >= 0) {
            String installed = path.substring(doc + PACKAGE_DOC_DIR.length());
            return packageDocs.contains(installed) ? null
                    : "the Nix package installs no " + PACKAGE_DOC_DIR + installed + " (nix/package.nix)";
        }
        Path target = path.isEmpty() ? file : resolve(file, path);
        if (target == null) {
            return "no such file";
        }
        if (anchor != null && target.getFileName().toString().endsWith(".md") && !anchors(target).contains(anchor)) {
            return "no heading '" + anchor + "' in " + target.getFileName();
        }
        return null;
    }

    /**
     * The file a path names: relative to the citing file's directory or, for a name written from
     * the top of the checkout (as code comments do), to one of its parent directories up to the root.
     */
    private static Path resolve(Path file, String path) {
        Path root = Checkout.root();
        if (path.startsWith("/")) {
            return null;
        }
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root); dir = dir.getParent()) {
            Path candidate = dir.resolve(path).normalize();
            if (candidate.startsWith(root) && Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The anchors of a Markdown file's headings, as GitHub makes them. */
    private static Set<String> anchors(Path markdown) throws IOException {
        Set<String> anchors = new HashSet<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(markdown, StandardCharsets.UTF_8)) {
            if (line.startsWith("```")) {
                fenced = !fenced;
            } else if (!fenced && line.matches("#{1,6} .*")) {
                String base = anchor(line.replaceFirst("#+ ", ""));
                String unique = base;
                for (int n = 1; !anchors.add(unique); n++) {
                    unique = base + "-" + n;
                }
            }
        }
        return anchors;
    }

    /** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** The comment part of a line of Java: a Javadoc or block comment line, or what follows "//". */
    private static String comment(String line) {
        String trimmed = line.strip();
        if (trimmed.startsWith("*") || trimmed.startsWith("/*") || trimmed.startsWith("//")) {
            return line;
        }
        int slashes = line.indexOf("// ");
        return slashes >= 0 ? line.substring(slashes) : "";
    }

    private static boolean external(String target) {
        return target.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*");
    }

    /** Whether the name at {@code start} belongs to a web URL (https://host/x.md); file:// paths are still checked. */
    private static boolean inUrl(String text, int start) {
        int from = start;
        while (from > 0 && " \t(\"'`<[".indexOf(text.charAt(from - 1)) < 0) {
            from--;
        }
        String scheme = text.substring(from, start);
        return scheme.matches("[a-zA-Z][a-zA-Z0-9+.-]*:/*") && !scheme.startsWith("file:");
    }

    /** What nix/package.nix copies into the package's share/doc/npc/. */
    private static Set<String> packageDocs() throws IOException {
        Set<String> docs = new HashSet<>();
        Matcher installed = PACKAGE_DOC.matcher(Files.readString(Checkout.file("nix/package.nix")));
        while (installed.find()) {
            docs.add(installed.group(1).replaceAll("[\"']+$", ""));
        }
        return docs;
    }

    private static String rel(Path file) {
        return Checkout.root().relativize(file).toString();
    }
}
