package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import dev.npc.json.InvalidDocumentException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Settings from config.json, then the environment, then flags: the later wins. */
public final class SettingsLoader {
    private SettingsLoader() { }

    public static DaemonConfig merged(StateDir dir, DaemonConfig flags, Map<String, String> env) {
        DaemonConfig file;
        try {
            file = ConfigFile.read(dir.config());
        } catch (InvalidDocumentException e) {
            throw new IllegalStateException(e.getMessage() + "; fix it or run npc-daemon install again");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.config() + ": " + e.getMessage(), e);
        }
        return file.overlay(DaemonConfig.fromEnvironment(env)).overlay(flags);
    }

    public static Settings load(StateDir dir, DaemonConfig flags, Map<String, String> env, String hostname) {
        return Settings.resolve(dir, merged(dir, flags, env), hostname);
    }
}
