package dev.npc.daemon;

import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The seam a reboot goes through, like processes and clocks: which boot this is, and the command
 * that restarts the machine. Production reads the kernel's boot id and runs the command; tests
 * record the command and play the boot (npc-daemon's testing.RebootStandIn).
 */
public interface Rebooter {
    /** The kernel's random id of this boot: a new one after every boot (proc(5), boot_id). */
    Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** This boot's id: a reboot asked for from one boot and seen from another has happened. */
    String bootId() throws IOException;

    /**
     * Runs {@code command} (systemctl reboot ...), which returns once systemd accepted the
     * reboot; the machine then stops this daemon like every service.
     *
     * @throws IOException when the command could not run or refused
     */
    void reboot(List<String> command) throws IOException, InterruptedException;

    /** The machine's own: {@link #BOOT_ID}, and {@code command} run through {@code processes}. */
    static Rebooter system(ProcessRunner processes) {
        return new Rebooter() {
            @Override
            public String bootId() throws IOException {
                return Files.readString(BOOT_ID).strip();
            }

            @Override
            public void reboot(List<String> command) throws IOException, InterruptedException {
                ProcessResult result = processes.run(command, Map.of(), null, Duration.ofMinutes(1));
                if (result.timedOut() || result.exitCode() != 0) {
                    throw new IOException(String.join(" ", command) + (result.timedOut() ? " timed out"
                            : " failed (exit " + result.exitCode() + ")") + ": " + result.tail(5).strip());
                }
            }
        };
    }

    /** For programs that never reboot a host (the demo, tests of other things): every reboot fails. */
    Rebooter NONE = new Rebooter() {
        @Override
        public String bootId() {
            return "no-reboots";
        }

        @Override
        public void reboot(List<String> command) throws IOException {
            throw new IOException("this npc-daemon was started without a way to reboot (" + String.join(" ", command)
                    + " not run)");
        }
    };
}
