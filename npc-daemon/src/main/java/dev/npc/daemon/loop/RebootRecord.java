package dev.npc.daemon.loop;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.npc.files.AtomicFiles;
import dev.npc.daemon.stage.Generation;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.json.EnumNames;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code reboot.json}: the reboot a healthy switch made necessary, and how far it got. Written
 * before every reboot (with {@code reboots} counted up and this boot's id), so the daemon that
 * starts after the boot knows what to check and what to return to, and a host is rebooted into a
 * system at most once and back from it at most once: never in a loop.
 *
 * @param system       the toplevel that needs the reboot (running and the boot default when it was recorded)
 * @param booted       the system that was booted when the need was recorded
 * @param changed      what differs: kernel, initrd, kernel-modules, kernel-params
 * @param reboots      how often npc asked to reboot for {@code system} (into it, and back from it)
 * @param bootId       the boot the last reboot was asked from; another boot id means it happened
 * @param target       what desired.json asked for when {@code system} was switched to
 * @param attempt      that switch's attempt, for the report if the reboot ends in a rollback
 * @param previous     the generation before that switch: the boot entry a rollback returns to
 * @param before       what ran before that switch, as state.json said
 * @param failedBefore the units that had failed before that switch (the health check's baseline)
 * @param failure      why the reboot is being undone, or what went wrong with it
 */
public record RebootRecord(Stage stage, String system, String booted, List<String> changed, Instant since,
                           int reboots, String bootId, Instant requestedAt, Target target, Attempt attempt,
                           Generation previous, Current before, List<String> failedBefore, String failure) {

    /** Where the reboot flow is. */
    public enum Stage {
        /** Needed, not asked for yet (outside the window, not allowed, or bounded). */
        PENDING,
        /** Asked to reboot into {@code system}. */
        REBOOTING,
        /** {@code system} failed its checks after the reboot: putting the previous boot entry back. */
        ROLLING_BACK,
        /** The previous boot entry is back; asked to reboot into it. */
        RETURNING,
        /** Over without {@code system} booted healthy: kept so npc never reboots for it again. */
        FAILED;

        @JsonValue
        @Override
        public String toString() {
            return EnumNames.of(this);
        }

        @JsonCreator
        public static Stage of(String json) {
            return EnumNames.parse(Stage.class, json, FAILED);
        }
    }

    public RebootRecord withStage(Stage next) {
        return new RebootRecord(next, system, booted, changed, since, reboots, bootId, requestedAt, target, attempt,
                previous, before, failedBefore, failure);
    }

    public RebootRecord withFailure(String why) {
        return new RebootRecord(stage, system, booted, changed, since, reboots, bootId, requestedAt, target, attempt,
                previous, before, failedBefore, why);
    }

    /** A reboot asked for now from boot {@code id}: counted before it happens. */
    public RebootRecord requested(Stage next, String id, Instant at) {
        return new RebootRecord(next, system, booted, changed, since, reboots + 1, id, at, target, attempt, previous,
                before, failedBefore, failure);
    }

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, Json.write(this));
    }

    /** The record, or null when there is none or it cannot be read (then nothing is rebooted for it). */
    public static RebootRecord read(Path file) {
        try {
            return Files.exists(file) ? Json.read(Files.readAllBytes(file), RebootRecord.class, file.toString()) : null;
        } catch (IOException | InvalidDocumentException e) {
            return null;
        }
    }
}
