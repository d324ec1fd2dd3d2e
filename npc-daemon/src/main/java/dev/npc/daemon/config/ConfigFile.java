package dev.npc.daemon.config;

import dev.npc.daemon.files.AtomicFiles;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code <state-dir>/config.json}: what {@code install} wrote; flags override it. */
public final class ConfigFile {
    private ConfigFile() { }

    public static DaemonConfig read(Path file) throws IOException, InvalidDocumentException {
        if (!Files.exists(file)) {
            return DaemonConfig.EMPTY;
        }
        return Json.read(Files.readAllBytes(file), DaemonConfig.class, file.toString());
    }

    public static void write(Path file, DaemonConfig config) throws IOException {
        AtomicFiles.write(file, Json.write(config));
    }
}
