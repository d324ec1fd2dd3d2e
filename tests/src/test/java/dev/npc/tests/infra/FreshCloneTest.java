package dev.npc.tests.infra;

import dev.npc.tests.demo.DemoOutput;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's first step on a fresh clone: `./npc demo` builds npc once (saying so in one line)
 * and runs; and `tools/readme-figures.sh demo`, which runs exactly that, writes the demo's output
 * into the README. Also the launcher's build logic against stand-ins, and shellcheck on the
 * scripts that make this work.
 */
class FreshCloneTest {
    private static final String NOTICE = "npc: building npc once (./mvnw -q -B -Dmaven.test.skip=true -pl npc-demo -am package)...";
    private static final List<String> SCRIPTS = List.of("npc", "bin/npc", "bin/npc-daemon", "bin/keeps-running.sh", "bin/cds-archive",
            "tools/readme-figures.sh", "bench/common.sh", "bench/pack-bench.sh", "bench/push-bench.sh", "bench/status-bench.sh",
            "bench/soak.sh", "bench/poll-bench.sh", ".ci/run");

    @TempDir
    Path work;

    @Test
    void aFreshCloneBuildsOnceRunsTheDemoAndTheFiguresScriptWritesItIntoTheReadme() throws Exception {
        Path clone = Checkout.copyTo(work.resolve("clone"));
        assertFalse(Files.exists(clone.resolve("npc-cli/target")), "a copy of the project files has no build output");
        String readme = Files.readString(clone.resolve("README.md"));

        Command.Run figures = Command.run(List.of(clone.resolve("tools/readme-figures.sh").toString(), "demo"), mavenOffline(), clone);

        assertEquals(0, figures.exit(), figures.describe());
        assertEquals(1, figures.stderr().lines().filter(NOTICE::equals).count(), "one notice:\n" + figures.describe());
        assertTrue(figures.stdout().contains("The demo went as it should."), figures.describe());
        String updated = Files.readString(clone.resolve("README.md"));
        assertEquals(outsideDemoBlock(readme), outsideDemoBlock(updated), "only the demo block changes");
        DemoOutput.assertSameShape(DemoOutput.readmeBlock(updated), figures.stdout());
        assertTrue(DemoOutput.readmeBlock(updated).stream().noneMatch(l -> l.matches(".*[0-9a-f]{64}.*")),
                "versions are shortened as npc shows them");

        Command.Run again = Command.run(List.of(clone.resolve("npc").toString(), "--version"), Map.of(), clone);
        assertEquals(0, again.exit(), again.describe());
        assertFalse(again.stderr().contains("building"), "built once: " + again.describe());
    }

    @Test
    void theLauncherBuildsWhatIsMissingOnceAndOnlyThen() throws Exception {
        Path checkout = launcherCheckout("mkdir -p npc-cli/target npc-demo/target\n"
                + "touch npc-cli/target/npc-cli.jar npc-demo/target/npc-demo.jar\n");

        Command.Run first = Command.run(List.of(checkout.resolve("bin/npc").toString(), "demo"), standInJava(), checkout);
        assertEquals(0, first.exit(), first.describe());
        assertEquals(List.of(NOTICE), first.stderr().lines().toList());
        assertEquals(List.of("-q", "-B", "-Dmaven.test.skip=true", "-pl", "npc-demo", "-am", "package"),
                Files.readAllLines(checkout.resolve("mvnw-args")), "the build ran in the checkout");
        assertEquals("-jar " + checkout.resolve("npc-cli/target/npc-cli.jar") + " demo", javaArgs());
        assertTrue(Files.readString(work.resolve("java-log")).contains("-XX:DumpLoadedClassList="),
                "the first build also writes the class data sharing archive");

        Files.delete(checkout.resolve("mvnw-args"));
        Files.delete(work.resolve("java-log"));
        Command.Run second = Command.run(List.of(checkout.resolve("bin/npc").toString(), "demo"), standInJava(), checkout);
        assertEquals(0, second.exit(), second.describe());
        assertEquals("", second.stderr());
        assertFalse(Files.exists(checkout.resolve("mvnw-args")), "nothing built the second time");
        assertFalse(Files.readString(work.resolve("java-log")).contains("DumpLoadedClassList"), "nor archived");
    }

    @Test
    void onlyTheDemoNeedsTheDemoJar() throws Exception {
        Path checkout = launcherCheckout("exit 1\n");
        Files.createDirectories(checkout.resolve("npc-cli/target"));
        Files.createFile(checkout.resolve("npc-cli/target/npc-cli.jar"));

        Command.Run status = Command.run(List.of(checkout.resolve("bin/npc").toString(), "status"), standInJava(), checkout);

        assertEquals(0, status.exit(), status.describe());
        assertFalse(Files.exists(checkout.resolve("mvnw-args")), "npc-cli.jar is all `npc status` needs");
    }

    @Test
    void aFailedBuildSaysSoAndRunsNothing() throws Exception {
        Path checkout = launcherCheckout("echo '[ERROR] no network' >&2\nexit 7\n");

        Command.Run result = Command.run(List.of(checkout.resolve("bin/npc").toString(), "demo"), standInJava(), checkout);

        assertEquals(1, result.exit(), result.describe());
        assertEquals(List.of(NOTICE, "[ERROR] no network",
                "npc: the build failed (output above); fix it, then run " + checkout.resolve("bin/npc") + " again"),
                result.stderr().lines().toList());
        assertFalse(Files.exists(work.resolve("java-args")), "java must not run");
    }

    @Test
    void theScriptsPassShellcheck() {
        Path shellcheck = Tools.require("shellcheck");
        List<String> command = new ArrayList<>(List.of(shellcheck.toString(), "-x"));
        SCRIPTS.forEach(script -> command.add(script));

        Command.Run result = Command.run(command, Map.of(), Checkout.root());

        assertEquals(0, result.exit(), result.describe());
    }

    /** bin/npc and the flags file in a checkout-shaped directory whose mvnw runs {@code mvnwBody}, recording its arguments. */
    private Path launcherCheckout(String mvnwBody) throws IOException {
        Path checkout = work.resolve("checkout");
        Files.createDirectories(checkout.resolve("bin"));
        Files.copy(Checkout.file("bin/npc"), checkout.resolve("bin/npc"));
        Files.copy(Checkout.file("bin/cds-archive"), checkout.resolve("bin/cds-archive"));
        Files.setPosixFilePermissions(checkout.resolve("bin/cds-archive"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(Checkout.file("bin/jvm.options"), checkout.resolve("bin/jvm.options"));
        executable(checkout.resolve("mvnw"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > mvnw-args\n" + mvnwBody);
        return checkout;
    }

    /**
     * PATH with a `java` that records its arguments (without the flags file) in java-args, the
     * last call's, and in java-log, every call's.
     */
    private Map<String, String> standInJava() throws IOException {
        Path bin = Files.createDirectories(work.resolve("stand-in-bin"));
        executable(bin.resolve("java"), "#!/bin/sh\nshift\necho \"$*\" > " + work.resolve("java-args")
                + "\necho \"$*\" >> " + work.resolve("java-log") + "\n");
        return Map.of("PATH", bin + ":" + System.getenv("PATH"), "NPC_JAVA_OPTS", "");
    }

    private String javaArgs() throws IOException {
        return Files.readString(work.resolve("java-args")).strip();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The clone's Maven builds offline from the local repository this build uses, with the
     * wrapper's Maven (present when the tests run through ./mvnw, as .ci/run runs them).
     */
    private static Map<String, String> mavenOffline() throws IOException {
        Properties wrapper = new Properties();
        try (var in = Files.newInputStream(Checkout.file(".mvn/wrapper/maven-wrapper.properties"))) {
            wrapper.load(in);
        }
        String url = wrapper.getProperty("distributionUrl");
        String name = url.substring(url.lastIndexOf('/') + 1).replaceFirst("-bin\\.zip$", "");
        Path userHome = Path.of(System.getenv().getOrDefault("MAVEN_USER_HOME", System.getProperty("user.home") + "/.m2"));
        Assumptions.assumeTrue(Files.isDirectory(userHome.resolve("wrapper/dists").resolve(name)),
                "the Maven wrapper's " + name + " is not installed; run the tests through ./mvnw");
        Map<String, String> env = new HashMap<>();
        String repo = System.getProperty("npc.maven.repo.local");
        env.put("MAVEN_ARGS", "-o" + (repo == null ? "" : " -Dmaven.repo.local=" + repo));
        return env;
    }

    private static String outsideDemoBlock(String readme) {
        int begin = readme.indexOf("<!-- BEGIN FIGURES demo:");
        int end = readme.indexOf("<!-- END FIGURES demo -->");
        return readme.substring(0, begin) + readme.substring(end);
    }
}
