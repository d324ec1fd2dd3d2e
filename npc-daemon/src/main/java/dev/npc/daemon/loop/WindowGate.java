package dev.npc.daemon.loop;

import dev.npc.time.MaintenanceWindow;

import java.time.Clock;
import java.time.Instant;

/**
 * Whether a switch or a reboot may start now: always without a maintenance window, and once when
 * {@code npc-daemon trigger --now} asked for it; otherwise only while the window is open. Asked at
 * the moment the step would start (a build may take an hour), not when the poll began.
 *
 * @param window   the window desired.json or --window names, or null for none
 * @param override true when this pass may ignore the window (trigger --now)
 */
public record WindowGate(MaintenanceWindow window, boolean override, Clock clock) {

    /** No window: everything may start at once. */
    public static WindowGate none(Clock clock) {
        return new WindowGate(null, false, clock);
    }

    public boolean isOpen() {
        return window == null || override || window.isOpen(clock.instant(), clock.getZone());
    }

    /** When the window opens next (only asked while {@link #isOpen} is false). */
    public Instant next() {
        return window.nextOpening(clock.instant(), clock.getZone());
    }

    /** This gate for a step the window does not hold back. */
    public WindowGate overridden() {
        return new WindowGate(window, true, clock);
    }
}
