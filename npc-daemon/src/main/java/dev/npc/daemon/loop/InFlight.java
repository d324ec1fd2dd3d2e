package dev.npc.daemon.loop;

import dev.npc.daemon.files.AtomicFiles;
import dev.npc.daemon.stage.Generation;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code attempt.json}: the attempt in progress, written before each step, so a daemon killed
 * mid-step knows on restart what it was doing and which system it was bringing in.
 *
 * @param toplevel the built system, once known
 * @param previous what ran before the activation, once remembered
 * @param crash    what killed the daemon during the attempt (an Error or an unexpected exception)
 *                 and in which phase, when the daemon lived long enough to write it down
 * @param failedBefore the units that had failed before the switch (the health check's baseline), once read
 */
public record InFlight(Target target, int attempt, Instant startedAt, String toplevel, Generation previous,
                       List<String> failedBefore, Crash crash) {

    /** @param cause the throwable as {@code Throwable.toString()} gives it, e.g. "java.lang.OutOfMemoryError: Java heap space" */
    public record Crash(String phase, String cause) { }

    public InFlight(Target target, int attempt, Instant startedAt, String toplevel, Generation previous) {
        this(target, attempt, startedAt, toplevel, previous, null, null);
    }

    public InFlight withToplevel(String built) {
        return new InFlight(target, attempt, startedAt, built, previous, failedBefore, crash);
    }

    public InFlight withPrevious(Generation generation) {
        return new InFlight(target, attempt, startedAt, toplevel, generation, failedBefore, crash);
    }

    public InFlight withFailedBefore(List<String> units) {
        return new InFlight(target, attempt, startedAt, toplevel, previous, units, crash);
    }

    public InFlight withCrash(String phase, Throwable cause) {
        return new InFlight(target, attempt, startedAt, toplevel, previous, failedBefore,
                new Crash(phase, String.valueOf(cause)));
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
