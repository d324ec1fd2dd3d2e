package dev.npc.daemon.loop;

import dev.npc.files.AtomicFiles;
import dev.npc.daemon.stage.Generation;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.Phase;
import dev.npc.host.Result;
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
    public record Crash(Phase phase, String cause) { }

    /** An attempt at its start: nothing built, remembered or read yet. */
    public static InFlight started(Target target, int attempt, Instant startedAt) {
        return new InFlight(target, attempt, startedAt, null, null, null, null);
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

    public InFlight withCrash(Phase phase, Throwable cause) {
        return new InFlight(target, attempt, startedAt, toplevel, previous, failedBefore,
                new Crash(phase, String.valueOf(cause)));
    }

    /** The attempt's record in state.json, ended now with {@code result}. */
    public Attempt ended(Result result, Instant finishedAt) {
        return Attempt.ended(target.sha256(), result, attempt, startedAt, finishedAt).withSystem(toplevel);
    }

    /** What the host runs once this attempt's system is active (activated, or found running). */
    public Current runningSince(Instant activatedAt) {
        return new Current(target.remote(), target.sha256(), target.configuration(), toplevel, activatedAt);
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
