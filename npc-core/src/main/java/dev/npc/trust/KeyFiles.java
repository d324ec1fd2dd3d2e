package dev.npc.trust;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Set;

/**
 * Ed25519 key files in a line-based text form, so a public key fits in a Nix option or a
 * Terraform variable as one line:
 *
 * <pre>
 * # comment lines start with '#'
 * npc-ed25519-public:&lt;base64 of the raw 32-byte key&gt;
 * </pre>
 *
 * A private key file holds {@code npc-ed25519-private:<base64 of the 32-byte seed>} and the
 * matching public line; it is written with mode 0600 and never replaces an existing file.
 */
public final class KeyFiles {
    public static final String PUBLIC_PREFIX = "npc-ed25519-public:";
    public static final String PRIVATE_PREFIX = "npc-ed25519-private:";
    private static final Set<PosixFilePermission> PRIVATE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private KeyFiles() { }

    /**
     * Creates a new key pair in two new files.
     *
     * @return the key id
     * @throws FileAlreadyExistsException when either file exists; neither is then touched
     */
    public static String generate(Path privateFile, Path publicFile) throws IOException {
        if (privateFile.toAbsolutePath().normalize().equals(publicFile.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--private and --public name the same file " + privateFile + "; give two files");
        }
        for (Path file : new Path[] {privateFile, publicFile}) {
            Path dir = file.toAbsolutePath().getParent();
            // A mistyped directory must not be created (and a key land somewhere unexpected).
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("directory " + dir + " for key file " + file
                        + " does not exist; create it first (npc never creates directories for keys)");
            }
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(file + " (npc never overwrites a key; remove it or choose another name)");
            }
        }
        KeyPair pair = Ed25519.generate();
        String keyId = Ed25519.keyId(pair.getPublic());
        String publicLine = PUBLIC_PREFIX + base64(Ed25519.rawPublic(pair.getPublic()));
        String privateText = "# npc Ed25519 private key " + keyId + ": keep it secret; it signs remotes (npc push --sign-key)\n"
                + PRIVATE_PREFIX + base64(Ed25519.rawPrivate(pair.getPrivate())) + "\n" + publicLine + "\n";
        String publicText = "# npc Ed25519 public key " + keyId + ": hosts trust it with --trusted-key (services.npc.trustedKeys)\n"
                + publicLine + "\n";
        createNew(privateFile, privateText, PRIVATE_MODE);
        try {
            createNew(publicFile, publicText, PUBLIC_MODE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(privateFile);
            throw e;
        }
        return keyId;
    }

    /** Reads a private key file written by {@link #generate}. */
    public static SigningKey readSigningKey(Path file) throws IOException {
        String text = read(file, "signing key");
        String privateB64 = line(text, PRIVATE_PREFIX);
        String publicB64 = line(text, PUBLIC_PREFIX);
        if (privateB64 == null) {
            throw new IllegalArgumentException("signing key file " + file + " has no '" + PRIVATE_PREFIX
                    + "' line; give the private file npc keys generate wrote");
        }
        if (publicB64 == null) {
            throw new IllegalArgumentException("signing key file " + file + " has no '" + PUBLIC_PREFIX
                    + "' line; give the private file npc keys generate wrote");
        }
        try {
            PrivateKey privateKey = Ed25519.privateFromRaw(raw(privateB64, file));
            PublicKey publicKey = Ed25519.publicFromRaw(raw(publicB64, file));
            byte[] probe = "npc key file check".getBytes(StandardCharsets.US_ASCII);
            if (!Ed25519.verify(publicKey, probe, Ed25519.sign(privateKey, probe))) {
                throw new IllegalArgumentException("signing key file " + file
                        + " holds a private and a public key that do not belong together; generate a new pair");
            }
            return new SigningKey(privateKey, Ed25519.keyId(publicKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signing key file " + file + " holds no valid Ed25519 key; generate one with npc keys generate");
        }
    }

    /**
     * Reads a trusted public key given as a file or as its one-line text form
     * ({@code npc-ed25519-public:...}, how Nix options pass it).
     */
    public static TrustedKey readTrustedKey(String fileOrText) throws IOException {
        if (fileOrText == null || fileOrText.isBlank()) {
            throw new IllegalArgumentException("empty trusted key; give a public key file or its npc-ed25519-public:... line");
        }
        String trimmed = fileOrText.strip();
        if (trimmed.startsWith(PUBLIC_PREFIX)) {
            return parsePublic(trimmed.substring(PUBLIC_PREFIX.length()), "trusted key '" + abbreviate(trimmed) + "'");
        }
        Path file = Path.of(trimmed);
        String text = read(file, "trusted key");
        if (line(text, PRIVATE_PREFIX) != null) {
            throw new IllegalArgumentException("trusted key file " + file
                    + " holds a private key; give the public file (hosts must never hold the signing key)");
        }
        String publicB64 = line(text, PUBLIC_PREFIX);
        if (publicB64 == null) {
            throw new IllegalArgumentException("trusted key file " + file + " has no '" + PUBLIC_PREFIX
                    + "' line; give a public key file written by npc keys generate");
        }
        return parsePublic(publicB64, "trusted key file " + file);
    }

    private static TrustedKey parsePublic(String base64, String what) {
        try {
            byte[] raw = Base64.getDecoder().decode(base64.strip());
            if (raw.length != Ed25519.KEY_BYTES) {
                throw new IllegalArgumentException(what + " is not a 32-byte Ed25519 key; copy it again from npc keys generate's public file");
            }
            PublicKey key = Ed25519.publicFromRaw(raw);
            return new TrustedKey(key, Ed25519.keyId(key));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what)) {
                throw e;
            }
            throw new IllegalArgumentException(what + " is not valid base64; copy it again from npc keys generate's public file");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " is not a valid Ed25519 public key; copy it again from npc keys generate's public file");
        }
    }

    private static byte[] raw(String base64, Path file) {
        try {
            byte[] raw = Base64.getDecoder().decode(base64.strip());
            if (raw.length == Ed25519.KEY_BYTES) {
                return raw;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("key file " + file + " holds a malformed key line; generate a new pair with npc keys generate");
    }

    private static String read(Path file, String what) throws IOException {
        try {
            if (Files.size(file) > 64 * 1024) {
                throw new IllegalArgumentException(what + " file " + file + " is too large to be an npc key file");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " file " + file + " does not exist; create a pair with npc keys generate");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(what + " file " + file + " is not an npc key file (not ASCII text)");
        }
    }

    /** The value of the first line starting with {@code prefix}, or null. */
    private static String line(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(prefix))
                .map(l -> l.substring(prefix.length())).findFirst().orElse(null);
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    /**
     * Writes a file that must not exist yet: a temporary file in the same directory, with its mode
     * set before any byte is written, flushed to disk, then hard-linked to its name (a link, unlike
     * a rename, fails when the name is taken, so a key is never replaced).
     */
    private static void createNew(Path target, String text, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".npc-key-", ".tmp", PosixFilePermissions.asFileAttribute(mode));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                out.write(text.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                channel.force(true);
            }
            Files.setPosixFilePermissions(temp, mode);
            Files.createLink(target.toAbsolutePath(), temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
