package dev.npc.trust;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFilesTest {
    @TempDir
    Path dir;

    @Test
    void generatedPairReadsBackWithOneKeyIdAndAPrivateMode() throws Exception {
        Path priv = dir.resolve("ci.key");
        Path pub = dir.resolve("ci.pub");
        String keyId = KeyFiles.generate(priv, pub);

        assertTrue(keyId.matches("[0-9a-f]{16}"), keyId);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)));
        assertEquals(keyId, KeyFiles.readSigningKey(priv).keyId());
        assertEquals(keyId, KeyFiles.readTrustedKey(pub.toString()).keyId());
        String line = Files.readAllLines(pub).stream().filter(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX)).findFirst().orElseThrow();
        assertEquals(keyId, KeyFiles.readTrustedKey("  " + line + "\n").keyId(), "the one-line form Nix options pass");
        assertEquals(List.of("ci.key", "ci.pub"), listing(), "no temporary file is left");
    }

    @Test
    void neverOverwritesAnExistingKeyAndTouchesNothingWhenRefusing() throws Exception {
        Path priv = dir.resolve("ci.key");
        Path pub = dir.resolve("ci.pub");
        Files.writeString(pub, "mine");
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.generate(priv, pub));
        assertFalse(Files.exists(priv), "no private key without its public half");
        assertEquals("mine", Files.readString(pub));

        Files.delete(pub);
        Files.writeString(priv, "old secret");
        assertThrows(FileAlreadyExistsException.class, () -> KeyFiles.generate(priv, pub));
        assertEquals("old secret", Files.readString(priv));
        assertFalse(Files.exists(pub));
        assertThrows(IllegalArgumentException.class, () -> KeyFiles.generate(pub, pub));
    }

    @Test
    void twoGenerationsGiveDifferentKeys() throws Exception {
        assertFalse(KeyFiles.generate(dir.resolve("a.key"), dir.resolve("a.pub"))
                .equals(KeyFiles.generate(dir.resolve("b.key"), dir.resolve("b.pub"))));
    }

    @Test
    void badKeyArgumentsAreRefusedWithTheirFix() throws Exception {
        Path priv = dir.resolve("ci.key");
        KeyFiles.generate(priv, dir.resolve("ci.pub"));
        assertMessage("holds a private key", () -> KeyFiles.readTrustedKey(priv.toString()));
        assertMessage("does not exist", () -> KeyFiles.readTrustedKey(dir.resolve("nope.pub").toString()));
        assertMessage("not valid base64", () -> KeyFiles.readTrustedKey(KeyFiles.PUBLIC_PREFIX + "%%%"));
        assertMessage("not a 32-byte", () -> KeyFiles.readTrustedKey(KeyFiles.PUBLIC_PREFIX + "AAAA"));
        Path garbage = Files.writeString(dir.resolve("garbage"), "hello\n");
        assertMessage("has no 'npc-ed25519-public:' line", () -> KeyFiles.readTrustedKey(garbage.toString()));
        assertMessage("has no 'npc-ed25519-private:' line", () -> KeyFiles.readSigningKey(garbage));
        assertMessage("empty trusted key", () -> KeyFiles.readTrustedKey(" "));
    }

    @Test
    void aPrivateFileWhosePublicLineWasSwappedIsRefused() throws Exception {
        KeyFiles.generate(dir.resolve("a.key"), dir.resolve("a.pub"));
        KeyFiles.generate(dir.resolve("b.key"), dir.resolve("b.pub"));
        String bPublic = Files.readAllLines(dir.resolve("b.pub")).get(1);
        List<String> mixed = Files.readAllLines(dir.resolve("a.key")).stream()
                .map(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX) ? bPublic : l).toList();
        Path forged = Files.write(dir.resolve("mixed.key"), mixed);
        assertMessage("do not belong together", () -> KeyFiles.readSigningKey(forged));
    }

    private List<String> listing() throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
