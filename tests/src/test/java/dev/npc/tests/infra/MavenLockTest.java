package dev.npc.tests.infra;

import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nix/maven-lock.json, proven with real Maven against the local repository this build downloaded
 * (~/.m2 in CI, which ran the same poms a moment ago): every hash is the file's, the lock's files
 * alone are enough for the package's offline build (the flake's mechanism: no tracking files,
 * --offline) and a missing one breaks it, and the generator, run offline from that repository,
 * reports exactly the entries a tampered lock gets wrong and nothing else, so poms and lock agree.
 * A real fetch from Maven Central is the generator's (nix/maven-lock.sh) and nix build's job.
 */
class MavenLockTest {
    private static final Pattern SRI = Pattern.compile("sha256-[A-Za-z0-9+/]{43}=");
    private static final Pattern PLUGIN_JAR = Pattern.compile("org/apache/maven/plugins/([^/]+)/([^/]+)/\\1-\\2\\.jar");
    /** Every plugin the jar and pom lifecycles (clean, default, site) bind by default. */
    private static final Set<String> LIFECYCLE_PLUGINS = Set.of("maven-clean-plugin", "maven-resources-plugin",
            "maven-compiler-plugin", "maven-surefire-plugin", "maven-jar-plugin", "maven-install-plugin",
            "maven-deploy-plugin", "maven-site-plugin");
    private static final List<String> PACKAGE_MODULES = List.of("npc-core", "npc-cli", "npc-daemon");
    private static final List<String> ALL_MODULES = List.of("npc-core", "npc-cli", "npc-daemon", "npc-demo", "tests");

    @TempDir
    Path work;

    @Test
    void theLockIsWellFormedAndWrittenForTheArgumentFile() {
        MavenLockFile lock = MavenLockFile.ofCheckout();

        assertEquals(ArgumentFile.read(Checkout.file("nix/maven-build.args")), lock.mavenArgs());
        assertTrue(lock.artifacts().size() > 100, "a Maven build needs more than " + lock.artifacts().size() + " files");
        List<String> paths = lock.artifacts().stream().map(MavenLockFile.Artifact::path).toList();
        assertEquals(new ArrayList<>(new TreeSet<>(paths)), paths, "sorted, each path once");
        for (MavenLockFile.Artifact artifact : lock.artifacts()) {
            assertEquals(MavenLockFile.CENTRAL + artifact.path(), artifact.url());
            assertTrue(SRI.matcher(artifact.hash()).matches(), artifact.hash());
            assertTrue(artifact.path().endsWith(".jar") || artifact.path().endsWith(".pom"), artifact.path());
        }
    }

    @Test
    void everyLockedHashIsTheHashOfTheFileThisBuildDownloaded() throws Exception {
        Path repository = localRepository();
        List<String> missing = new ArrayList<>();
        List<String> wrong = new ArrayList<>();

        for (MavenLockFile.Artifact artifact : MavenLockFile.ofCheckout().artifacts()) {
            Path file = repository.resolve(artifact.path());
            if (!Files.isRegularFile(file)) {
                missing.add(artifact.path());
            } else if (!artifact.hash().equals(sri(file))) {
                wrong.add(artifact.path() + ": lock " + artifact.hash() + ", file " + sri(file));
            }
        }

        assertEquals(List.of(), wrong, "hashes in nix/maven-lock.json that are not the file's");
        // The full build downloads a superset of what the package build needs, so in CI (and after
        // any ./mvnw verify) nothing is missing; a missing file means the lock names something the
        // poms do not use.
        assertEquals(List.of(), missing, "locked files " + repository + " does not hold; run nix/maven-lock.sh");
    }

    @Test
    void theLockAloneIsEnoughForTheOfflinePackageBuildAndAMissingEntryBreaksIt() throws Exception {
        Path maven = maven();
        MavenLockFile lock = MavenLockFile.ofCheckout();
        Path repository = assemble(lock, work.resolve("repository"));
        Path source = packageSources(work.resolve("source"));

        ProcessResult built = Tools.run(offlineBuild(maven, repository, source, lock), javaHome(), source);

        assertTrue(built.ok(), "the offline build from the lock's files failed:\n" + built);
        for (String program : List.of("npc-cli", "npc-daemon")) {
            Path jar = source.resolve(program + "/target/" + program + ".jar");
            assertTrue(Files.isRegularFile(jar), jar + " was not built");
            Path tested = Checkout.file(program + "/target/" + program + ".jar");
            if (Files.isRegularFile(tested)) {
                // The package ships the runtime jars the tests ran with (a test dependency must not
                // change a runtime version in the tested build only); their order may differ.
                assertEquals(new TreeSet<>(classPath(tested)), new TreeSet<>(classPath(jar)),
                        program + "'s runtime jars differ from the tested build's");
            }
        }

        assertEquals(lock.artifacts().size(), countFiles(repository), "the offline build fetched nothing");

        String bom = lock.artifacts().stream().map(MavenLockFile.Artifact::path)
                .filter(p -> p.matches("software/amazon/awssdk/bom/[^/]+/bom-[^/]+\\.pom")).findFirst()
                .orElseThrow(() -> new AssertionError("the AWS SDK's BOM is not in the lock"));
        Files.delete(repository.resolve(bom));
        Path again = packageSources(work.resolve("again"));

        ProcessResult broken = Tools.run(offlineBuild(maven, repository, again, lock), javaHome(), again);

        assertNotEquals(0, broken.exitCode(), "the build succeeded without " + bom + ":\n" + broken);
        assertTrue(broken.printed("software.amazon.awssdk:bom:pom"), broken.toString());
    }

    @Test
    void theGeneratorReportsExactlyTheEntriesATamperedLockGetsWrong() throws Exception {
        Path maven = maven();
        Path checkout = Checkout.copyTo(work.resolve("checkout"));
        Path lockFile = checkout.resolve("nix/maven-lock.json");
        List<String> lines = new ArrayList<>(Files.readAllLines(lockFile));
        MavenLockFile lock = MavenLockFile.ofCheckout();
        String dropped = lock.artifacts().stream().map(MavenLockFile.Artifact::path)
                .filter(p -> p.matches("info/picocli/picocli/[^/]+/picocli-[^/]+\\.jar")).findFirst().orElseThrow();
        MavenLockFile.Artifact changed = lock.artifacts().get(0);
        String unneeded = "org/example/unneeded/1.0/unneeded-1.0.jar";
        String otherHash = "sha256-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest("not the file".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        lines.removeIf(line -> line.contains("\"path\": \"" + dropped + "\""));
        lines.replaceAll(line -> line.contains("\"path\": \"" + changed.path() + "\"") ? line.replace(changed.hash(), otherHash) : line);
        int first = lines.indexOf(lines.stream().filter(l -> l.contains("\"path\"")).findFirst().orElseThrow());
        lines.add(first, "    {\"path\": \"" + unneeded + "\", \"url\": \"" + MavenLockFile.CENTRAL + unneeded
                + "\", \"hash\": \"" + otherHash + "\"},");
        Files.write(lockFile, lines);

        ProcessResult result = Tools.run(List.of(javaHome().get("JAVA_HOME") + "/bin/java", "nix/MavenLock.java",
                "--check", "--from-local-repository", localRepository().toString(), "--maven", maven.toString()),
                javaHome(), checkout);

        assertEquals(1, result.exitCode(), result.toString());
        List<String> differences = result.stderr().text().lines().filter(l -> l.matches("[+~-] .*")).toList();
        assertEquals(List.of(
                "~ " + changed.path() + " (lock says " + otherHash + ", the file is " + changed.hash() + ")",
                "+ " + dropped + " (needed, not in the lock)",
                "- " + unneeded + " (in the lock, not needed)"), differences, result.toString());
        assertTrue(result.printed("run nix/maven-lock.sh"), result.toString());
    }

    @Test
    void everyPluginALifecyclePhaseCanRunHasAPinnedVersionAndTheLockUsesIt() throws Exception {
        Map<String, String> pinned = pluginManagement(Checkout.file("pom.xml"));

        assertTrue(pinned.keySet().containsAll(LIFECYCLE_PLUGINS), "unpinned lifecycle plugins: "
                + LIFECYCLE_PLUGINS.stream().filter(p -> !pinned.containsKey(p)).sorted().toList());
        int plugins = 0;
        for (MavenLockFile.Artifact artifact : MavenLockFile.ofCheckout().artifacts()) {
            Matcher plugin = PLUGIN_JAR.matcher(artifact.path());
            if (plugin.matches()) {
                plugins++;
                assertEquals(pinned.get(plugin.group(1)), plugin.group(2), plugin.group(1) + " in the lock");
            }
        }
        assertTrue(plugins >= 4, "the package build runs at least resources, compiler, jar and dependency");
        for (String module : ALL_MODULES) {
            assertEquals(Map.of(), pluginVersions(Checkout.file(module + "/pom.xml")),
                    module + "/pom.xml: plugin versions belong in the parent's pluginManagement");
        }
    }

    // ---- helpers

    private static List<String> offlineBuild(Path maven, Path repository, Path source, MavenLockFile lock) {
        // What flake.nix runs: mvn --offline -Dmaven.repo.local=<repository> <nix/maven-build.args>.
        List<String> command = new ArrayList<>(List.of(maven.toString(), "--offline", "--quiet",
                "-Dmaven.repo.local=" + repository, "--file", source.resolve("pom.xml").toString()));
        command.addAll(lock.mavenArgs());
        return command;
    }

    /** The lock's files, and only those, at their repository paths (hard links where possible). */
    private static Path assemble(MavenLockFile lock, Path repository) throws IOException {
        Path from = localRepository();
        for (MavenLockFile.Artifact artifact : lock.artifacts()) {
            Path source = from.resolve(artifact.path());
            Assumptions.assumeTrue(Files.isRegularFile(source), source + " is missing; run ./mvnw verify first");
            Path target = repository.resolve(artifact.path());
            Files.createDirectories(target.getParent());
            try {
                Files.createLink(target, source);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(source, target);
            }
        }
        return repository;
    }

    /** What flake.nix gives the build: every module's pom and the package modules' main sources. */
    private static Path packageSources(Path target) throws IOException {
        copy(Checkout.file("pom.xml"), target.resolve("pom.xml"));
        for (String module : ALL_MODULES) {
            copy(Checkout.file(module + "/pom.xml"), target.resolve(module + "/pom.xml"));
        }
        for (String module : PACKAGE_MODULES) {
            Path main = Checkout.file(module + "/src/main");
            try (Stream<Path> files = Files.walk(main)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    copy(file, target.resolve(module + "/src/main").resolve(main.relativize(file).toString()));
                }
            }
        }
        return target;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    private static List<String> classPath(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return List.of(file.getManifest().getMainAttributes().getValue("Class-Path").split(" "));
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".jar") || f.toString().endsWith(".pom")).count();
        }
    }

    private static Map<String, String> pluginManagement(Path pom) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        Element management = (Element) root.getElementsByTagName("pluginManagement").item(0);
        return versions(management.getElementsByTagName("plugin"));
    }

    /** Plugins that declare a version, outside pluginManagement. */
    private static Map<String, String> pluginVersions(Path pom) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
        NodeList plugins = root.getElementsByTagName("plugin");
        Map<String, String> declared = new TreeMap<>(versions(plugins));
        if (root.getElementsByTagName("pluginManagement").getLength() > 0) {
            declared.keySet().removeAll(pluginManagement(pom).keySet());
        }
        return declared;
    }

    private static Map<String, String> versions(NodeList plugins) {
        Map<String, String> versions = new TreeMap<>();
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            NodeList version = plugin.getElementsByTagName("version");
            if (version.getLength() > 0) {
                versions.put(plugin.getElementsByTagName("artifactId").item(0).getTextContent().strip(),
                        version.item(0).getTextContent().strip());
            }
        }
        return versions;
    }

    private static String sri(Path file) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** The local repository this build used (tests/pom.xml passes it), else ~/.m2/repository. */
    private static Path localRepository() {
        String configured = System.getProperty("npc.maven.repo.local");
        Path repository = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        Assumptions.assumeTrue(Files.isDirectory(repository), "no local Maven repository at " + repository);
        return repository;
    }

    /** The Maven running this build (tests/pom.xml passes maven.home). */
    private static Path maven() {
        String home = System.getProperty("npc.maven.home");
        Assumptions.assumeTrue(home != null && !home.isBlank(), "maven.home is not set; run the tests through Maven");
        Path mvn = Path.of(home, "bin", "mvn");
        Assumptions.assumeTrue(Files.isExecutable(mvn), mvn + " is not executable");
        return mvn;
    }

    /** The JDK running the tests, for the Maven and java processes they start. */
    private static Map<String, String> javaHome() {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }
}
