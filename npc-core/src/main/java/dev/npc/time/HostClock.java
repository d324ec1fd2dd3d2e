package dev.npc.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Supplier;

/**
 * The system clock in the host's time zone, the zone looked up when something first asks for it
 * (a maintenance window without a zone of its own). {@link Clock#systemDefaultZone()} resolves
 * the zone at once, and the JDK's first look at its zone rules asks every jar on the class path
 * for zone-rules providers and reads the time-zone database: about 45 ms of CPU in a JVM that does
 * nothing else on npc-daemon's class path, about 8 ms in a {@code follow --once} of an unchanged
 * host (which opens those jars for other lookups anyway), a timer's run that needs no zone.
 */
public final class HostClock extends Clock {
    private final Supplier<ZoneId> lookup;
    private volatile ZoneId zone;

    public HostClock() {
        this(ZoneId::systemDefault);
    }

    HostClock(Supplier<ZoneId> lookup) {
        this.lookup = lookup;
    }

    @Override
    public ZoneId getZone() {
        ZoneId found = zone;
        if (found == null) {
            found = lookup.get();
            zone = found;
        }
        return found;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.system(zone);
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }
}
