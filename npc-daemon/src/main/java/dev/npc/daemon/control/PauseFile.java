package dev.npc.daemon.control;

import dev.npc.files.AtomicFiles;
import dev.npc.host.HostState.Paused;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** {@code paused.json}: written by {@code npc-daemon pause}, removed by {@code unpause} or when it expires. */
public final class PauseFile {
    private final Path file;

    public PauseFile(Path file) {
        this.file = file;
    }

    public void pause(Paused paused) throws IOException {
        AtomicFiles.write(file, Json.write(paused));
    }

    /** @return whether the host was paused */
    public boolean unpause() throws IOException {
        return Files.deleteIfExists(file);
    }

    /**
     * The pause in force at {@code now}, or null. An expired pause is removed; an unreadable file
     * counts as a pause without end, because updating a host someone tried to pause is the worse mistake.
     */
    public Paused current(Instant now) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Paused paused;
        try {
            paused = Json.read(Files.readAllBytes(file), Paused.class, file.toString());
        } catch (InvalidDocumentException e) {
            return new Paused(null, null, e.getMessage() + "; run npc-daemon unpause or pause again");
        }
        if (paused.until() != null && !now.isBefore(paused.until())) {
            Files.deleteIfExists(file);
            return null;
        }
        return paused;
    }
}
