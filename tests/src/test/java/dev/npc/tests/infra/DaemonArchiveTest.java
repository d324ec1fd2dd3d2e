package dev.npc.tests.infra;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * npc-daemon's class data sharing archive, as bin/cds-archive writes it for the Nix package: it
 * holds the classes of an unchanged poll (the signed HEAD outside the S3 client) and not the S3
 * client's, whose archived classes would cost every polling host resident memory for a path it
 * takes only when something changed. And it holds all of npc's and picocli's classes that such a
 * run loads: a class the dump leaves out (a lambda in a class that implements one of picocli's
 * interfaces, whose class files are too old to be linked while the archive is written) is parsed
 * or spun again at every start of a timer's {@code follow --once}.
 */
class DaemonArchiveTest {
    @TempDir
    Path work;

    private final Path jar = Checkout.file("npc-daemon/target/npc-daemon.jar");
    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final Path flags = Checkout.file("bin/jvm.options");

    /** The archive bin/cds-archive writes for the built jar, as the Nix package's build does. */
    private Path trainedArchive() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(jar), "npc-daemon is not built; run ./mvnw -q -DskipTests package");
        Path archive = work.resolve("npc-daemon.jsa");
        Command.Run train = Command.run(List.of("sh", Checkout.file("bin/cds-archive").toString(), java, flags.toString(),
                "npc-daemon", jar.toString(), archive.toString()), Map.of(), work);
        assertEquals(0, train.exit(), train.describe());
        assertTrue(Files.size(archive) > 0, train.describe());
        return archive;
    }

    @Test
    void theDaemonsArchiveIsTrainedOnAnUnchangedPollNotOnTheS3Client() throws Exception {
        Path archive = trainedArchive();
        Command.Run print = Command.run(List.of(java, "@" + flags, "-XX:SharedArchiveFile=" + archive,
                "-XX:+PrintSharedArchiveAndExit", "-jar", jar.toString()), Map.of(), work);
        // One line per archived class: "<index>: <name> ...".
        Set<String> classes = (print.stdout() + "\n" + print.stderr()).lines().map(String::trim)
                .filter(line -> line.matches("[0-9]+: .*")).map(line -> line.split("\\s+")[1])
                .collect(Collectors.toSet());
        assertTrue(classes.contains("dev.npc.store.SignedReads") && classes.contains("dev.npc.store.SignedHttp")
                && classes.contains("dev.npc.daemon.stage.Poller")
                && classes.contains("dev.npc.store.SigV4"),
                "the poll's classes, a signed request among them:\n" + print.describe());
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("software.amazon.awssdk.http.auth.aws.internal.signer.")),
                "npc signs a poll's requests itself, not through the SDK's signer");
        assertFalse(classes.contains("software.amazon.awssdk.services.s3.DefaultS3Client"), "no S3 client");
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("software.amazon.awssdk.core.internal.http.pipeline")),
                "none of the client's request pipeline");
    }

    @Test
    void anUnchangedPollLoadsAllOfNpcsAndPicocliClassesFromTheArchive() throws Exception {
        Path archive = trainedArchive();

        // The store the archive was trained against, and the same two runs: the first learns the
        // ETags, the second is the unchanged poll whose classes are looked at.
        Process store = new ProcessBuilder(java, "-cp", jar.toString(), "dev.npc.daemon.cds.TrainingStore")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String port = new BufferedReader(new InputStreamReader(store.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "training", "AWS_SECRET_ACCESS_KEY", "training",
                    "AWS_REGION", "us-east-1");
            Path log = work.resolve("classes.log");
            for (String logging : List.of("-Xlog:disable", "-Xlog:class+load:file=" + log)) {
                List<String> command = new ArrayList<>(List.of(java, "@" + flags, "-XX:SharedArchiveFile=" + archive,
                        logging, "-jar", jar.toString(), "follow", "--once", "--state-dir", work.resolve("state").toString(),
                        "--host", "training", "--store", "s3://npc-training/fleet",
                        "--endpoint-url", "http://127.0.0.1:" + port));
                Command.run(command, env, work);
            }
            List<String> loaded = Files.readAllLines(log);
            Assumptions.assumeTrue(loaded.stream().anyMatch(line -> line.contains(" java.lang.Object source: shared")),
                    "this JVM could not map the archive");
            List<String> notArchived = loaded.stream()
                    .filter(line -> line.matches(".*\\] (dev\\.npc|picocli)\\..*"))
                    .filter(line -> !line.contains("source: shared objects file"))
                    .toList();
            assertTrue(loaded.stream().anyMatch(line -> line.contains(" dev.npc.daemon.stage.Poller source: shared")),
                    "the poll ran: " + loaded.size() + " classes");
            assertEquals(List.of(), notArchived, "classes of npc and picocli parsed or spun at this start");
        } finally {
            store.destroy();
            store.waitFor();
        }
    }
}
