package dev.npc.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Supplier;

/**
 * The system clock in the host's time zone, the zone looked up when something first asks for it
 * (a maintenance window without a zone of its own). {@link Clock#systemDefaultZone()} resolves
 * the zone at once, and the JDK's first look at its zone rules asks every jar on the class path
 * for zone-rules providers: about 45 ms of CPU with npc-daemon's 48 jars and the time-zone
 * database, which a timer's {@code follow --once} of an unchanged host paid at every run without
 * needing a zone.
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
