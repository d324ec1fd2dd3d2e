package dev.npc.daemon.loop;

import dev.npc.files.AtomicFiles;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.time.Durations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Bounds retries of a failing version (npcnix retried a broken version forever): after a failure
 * the version is tried again after a growing backoff, at most {@code retries} more times; then the
 * daemon waits for a new version or {@code npc-daemon retry}. Kept on disk, so restarts (and a
 * version that crashes the daemon) do not reset the count.
 */
public final class RetryLedger {
    /**
     * The failing target, how often it failed, and when it last did.
     *
     * @param refused true when it was refused (trying again cannot help): no retry until it changes
     */
    record Entry(String key, int failures, Instant lastFailure, Boolean refused) {
        boolean isRefusal() {
            return Boolean.TRUE.equals(refused);
        }
    }

    private static final int MAX_BACKOFF_DOUBLINGS = 6;

    private final Path file;
    private final int retries;
    private final Duration backoff;
    private Entry entry;

    public RetryLedger(Path file, int retries, Duration backoff) {
        this.file = file;
        this.retries = retries;
        this.backoff = backoff;
        this.entry = load(file);
    }

    public int failures(Target target) {
        return entry != null && entry.key().equals(target.key()) ? entry.failures() : 0;
    }

    public void failed(Target target, Instant when) throws IOException {
        entry = new Entry(target.key(), failures(target) + 1, when, null);
        AtomicFiles.write(file, Json.write(entry));
    }

    /** {@code target} was refused: it is not tried again until the remote or desired.json changes. */
    public void refused(Target target, Instant when) throws IOException {
        entry = new Entry(target.key(), failures(target) + 1, when, true);
        AtomicFiles.write(file, Json.write(entry));
    }

    /** The remote or desired.json changed: a refusal was about what they held before. */
    public void forgetRefusal() throws IOException {
        if (entry != null && entry.isRefusal()) {
            clear();
        }
    }

    public void clear() throws IOException {
        entry = null;
        Files.deleteIfExists(file);
    }

    /** Why {@code target} must not be tried now, or null when it may. */
    public String blocked(Target target, Instant now) {
        int failures = failures(target);
        if (failures == 0) {
            return null;
        }
        if (entry.isRefusal()) {
            return target.label() + " was refused; waiting for the remote or desired.json to change"
                    + " (npc-daemon retry tries it again)";
        }
        if (failures > retries) {
            return target.label() + " failed " + failures + (failures == 1 ? " time" : " times")
                    + "; waiting for a new version, or run npc-daemon retry";
        }
        Duration wait = backoff.multipliedBy(1L << Math.min(failures - 1, MAX_BACKOFF_DOUBLINGS));
        Instant next = entry.lastFailure().plus(wait);
        if (now.isBefore(next)) {
            return target.label() + " failed " + failures + (failures == 1 ? " time" : " times")
                    + "; trying again in " + Durations.format(Duration.between(now, next))
                    + " (attempt " + (failures + 1) + " of " + (retries + 1) + ")";
        }
        return null;
    }

    private static Entry load(Path file) {
        try {
            return Files.exists(file) ? Json.read(Files.readAllBytes(file), Entry.class, file.toString()) : null;
        } catch (IOException | InvalidDocumentException e) {
            return null;
        }
    }
}
