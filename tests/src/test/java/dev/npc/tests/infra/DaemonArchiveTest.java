package dev.npc.tests.infra;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * takes only when something changed.
 */
class DaemonArchiveTest {
    @TempDir
    Path work;

    @Test
    void theDaemonsArchiveIsTrainedOnAnUnchangedPollNotOnTheS3Client() throws Exception {
        Path jar = Checkout.file("npc-daemon/target/npc-daemon.jar");
        Assumptions.assumeTrue(Files.isRegularFile(jar), "npc-daemon is not built; run ./mvnw -q -DskipTests package");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path flags = Checkout.file("bin/jvm.options");
        Path archive = work.resolve("npc-daemon.jsa");

        Command.Run train = Command.run(List.of("sh", Checkout.file("bin/cds-archive").toString(), java, flags.toString(),
                "npc-daemon", jar.toString(), archive.toString()), Map.of(), work);
        assertEquals(0, train.exit(), train.describe());
        assertTrue(Files.size(archive) > 0, train.describe());

        Command.Run print = Command.run(List.of(java, "@" + flags, "-XX:SharedArchiveFile=" + archive,
                "-XX:+PrintSharedArchiveAndExit", "-jar", jar.toString()), Map.of(), work);
        // One line per archived class: "<index>: <name> ...".
        Set<String> classes = (print.stdout() + "\n" + print.stderr()).lines().map(String::trim)
                .filter(line -> line.matches("[0-9]+: .*")).map(line -> line.split("\\s+")[1])
                .collect(Collectors.toSet());
        assertTrue(classes.contains("dev.npc.store.SignedReads") && classes.contains("dev.npc.store.SignedHttp")
                && classes.contains("dev.npc.daemon.stage.Poller")
                && classes.contains("software.amazon.awssdk.http.auth.aws.internal.signer.V4CanonicalRequest"),
                "the poll's classes, a signed request among them:\n" + print.describe());
        assertFalse(classes.contains("software.amazon.awssdk.services.s3.DefaultS3Client"), "no S3 client");
        assertTrue(classes.stream().noneMatch(c -> c.startsWith("software.amazon.awssdk.core.internal.http.pipeline")),
                "none of the client's request pipeline");
    }
}
