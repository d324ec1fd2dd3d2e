package dev.npc.daemon.loop;

import dev.npc.daemon.files.AtomicFiles;
import dev.npc.daemon.stage.Generation;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code attempt.json}: the attempt in progress, written before each step, so a daemon killed
 * mid-step knows on restart what it was doing and which system it was bringing in.
 *
 * @param toplevel the built system, once known
 * @param previous what ran before the activation, once remembered
 */
public record InFlight(Target target, int attempt, Instant startedAt, String toplevel, Generation previous) {

    public InFlight withToplevel(String built) {
        return new InFlight(target, attempt, startedAt, built, previous);
    }

    public InFlight withPrevious(Generation generation) {
        return new InFlight(target, attempt, startedAt, toplevel, generation);
    }

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, Json.write(this));
    }

    public static InFlight read(Path file) {
        try {
            return Files.exists(file) ? Json.read(Files.readAllBytes(file), InFlight.class, file.toString()) : null;
        } catch (IOException | InvalidDocumentException e) {
            return null;
        }
    }
}
