package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** nix/maven-lock.json, as flake.nix reads it: the build's arguments and one entry per file. */
record MavenLockFile(List<String> mavenArgs, List<Artifact> artifacts) {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    /** One file of the Maven repository: where it goes, where it is fetched from, its SRI sha256. */
    record Artifact(String path, String url, String hash) { }

    static MavenLockFile read(Path file) {
        try {
            JsonNode lock = Json.mapper().readTree(Files.readString(file));
            List<String> args = new ArrayList<>();
            lock.get("mavenArgs").forEach(arg -> args.add(arg.asText()));
            List<Artifact> artifacts = new ArrayList<>();
            lock.get("artifacts").forEach(a -> artifacts.add(
                    new Artifact(a.get("path").asText(), a.get("url").asText(), a.get("hash").asText())));
            return new MavenLockFile(List.copyOf(args), List.copyOf(artifacts));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MavenLockFile ofCheckout() {
        return read(Checkout.file("nix/maven-lock.json"));
    }

    Artifact find(String path) {
        return artifacts.stream().filter(a -> a.path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(path + " is not in nix/maven-lock.json"));
    }
}
