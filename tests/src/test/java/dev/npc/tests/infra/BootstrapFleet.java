package dev.npc.tests.infra;

import dev.npc.digest.Sha256;
import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.SigningKey;
import dev.npc.trust.V2Signatures;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store side of a first boot: S3Proxy (which checks every SigV4 signature against its one
 * key), the metadata service handing out that key as the instance role's credentials, a fleet
 * flake packed by npc's own Packer, Ed25519 keys from npc's own key files, and remotes published
 * with the metadata npc push writes.
 */
final class BootstrapFleet implements AutoCloseable {
    static final String PREFIX = "fleet";
    /** The root flake.lock's nixpkgs, as Terraform derives NPC_NIXPKGS from it. */
    static final String NIXPKGS = "github:NixOS/nixpkgs/b2a3852bd078e68dd2b3dfa8c00c67af1f0a7d20"
            + "?narHash=sha256-afXE7AJ7MY6wY1pg/Y6UPHNYPy5GtUKeBkrZZ/gC71E=";

    /** A key pair from npc keys generate's files. */
    record Key(SigningKey signing, String publicLine) { }

    private final Path work;
    private final EmbeddedS3 s3;
    private final Store store;
    private final ImdsStandIn imds;
    private byte[] archive;

    BootstrapFleet(Path work) throws IOException {
        this.work = work;
        this.s3 = EmbeddedS3.start();
        this.store = s3.open(PREFIX);
        this.imds = new ImdsStandIn(EmbeddedS3.REGION, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
    }

    Store store() {
        return store;
    }

    ImdsStandIn imds() {
        return imds;
    }

    EmbeddedS3 s3() {
        return s3;
    }

    /** Points a sandbox host at this store and metadata service. */
    void configure(BootstrapSandbox host) {
        host.env().put("NPC_STORE", s3.storeUrl(PREFIX));
        host.env().put("NPC_ENDPOINT_URL", s3.endpointUrl());
        host.env().put("NPC_IMDS_ENDPOINT", imds.endpoint());
    }

    /** A fleet flake (flake.nix, flake.lock, one host module) packed as npc push packs it. */
    byte[] archive() throws Exception {
        if (archive == null) {
            Path flake = Files.createDirectories(work.resolve("fleet-flake"));
            Files.writeString(flake.resolve("flake.nix"), """
                    {
                      description = "The fleet of the bootstrap tests";
                      inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
                      outputs = { self, nixpkgs }: {
                        nixosConfigurations.web-1 = nixpkgs.lib.nixosSystem {
                          system = "x86_64-linux";
                          modules = [ ./hosts/web-1.nix ];
                        };
                      };
                    }
                    """);
            Files.writeString(flake.resolve("flake.lock"), Files.readString(Checkout.file("flake.lock")));
            Files.createDirectories(flake.resolve("hosts"));
            Files.writeString(flake.resolve("hosts/web-1.nix"), "{ ... }: { networking.hostName = \"web-1\"; }\n");
            ByteArrayOutputStream packed = new ByteArrayOutputStream();
            PackResult result = new Packer(new SystemProcessRunner()).pack(flake, PackOptions.DEFAULT, packed);
            archive = packed.toByteArray();
            if (!result.sha256().equals(Sha256.hex(archive))) {
                throw new AssertionError("the packer's sha256 is not the archive's");
            }
        }
        return archive.clone();
    }

    Key key(String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve("keys"));
        KeyFiles.generate(dir.resolve(name + ".key"), dir.resolve(name + ".pub"));
        String publicLine = Files.readAllLines(dir.resolve(name + ".pub")).stream()
                .filter(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX)).findFirst().orElseThrow();
        return new Key(KeyFiles.readSigningKey(dir.resolve(name + ".key")), publicLine);
    }

    /** Publishes {@code bytes} as remotes/NAME.npc with npc push's metadata; returns its sha256. */
    String publish(String name, byte[] bytes, Map<String, String> extra) throws IOException {
        String sha256 = Sha256.hex(bytes);
        Map<String, String> metadata = new HashMap<>(Map.of(RemoteMetadata.FORMAT, Integer.toString(RemoteMetadata.CURRENT_FORMAT),
                RemoteMetadata.SHA256, sha256, RemoteMetadata.FILES, "3"));
        metadata.putAll(extra);
        store.put(Layout.remote(name), bytes, metadata);
        return sha256;
    }

    /** Publishes the fleet archive as NAME, signed by KEY for the name SIGNED_AS (format 2). */
    String publishSigned(String name, Key key, String signedAs, long sequence) throws Exception {
        byte[] bytes = archive();
        String sha256 = Sha256.hex(bytes);
        return publish(name, bytes, V2Signatures.metadata(key.signing(), signedAs, RemoteMetadata.CURRENT_FORMAT,
                sha256, sequence));
    }

    void desired(String host, String json) throws IOException {
        store.put(Layout.desired(host), json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Optional<byte[]> read(String key) throws IOException {
        try (GetResult result = store.get(key, null)) {
            if (result instanceof GetResult.Found found) {
                return Optional.of(found.body().readAllBytes());
            }
            return Optional.empty();
        }
    }

    /** NPC_REMOTE_KEYS for these keys. */
    static String keys(List<Key> keys) {
        return String.join(" ", keys.stream().map(Key::publicLine).toList());
    }

    @Override
    public void close() {
        imds.close();
        store.close();
        s3.close();
    }
}
