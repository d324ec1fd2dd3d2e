package dev.npc.time;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostClockTest {
    @Test
    void theZoneIsLookedUpOnlyWhenAskedForAndOnce() {
        AtomicInteger lookups = new AtomicInteger();
        HostClock clock = new HostClock(() -> {
            lookups.incrementAndGet();
            return ZoneId.of("Europe/Berlin");
        });
        Instant before = Instant.now();
        Instant now = clock.instant();
        assertFalse(now.isBefore(before), now + " is before " + before);
        assertTrue(Math.abs(clock.millis() - System.currentTimeMillis()) < 60_000);
        assertEquals(0, lookups.get(), "the time alone needs no zone");
        assertEquals(ZoneId.of("Europe/Berlin"), clock.getZone());
        assertEquals(ZoneId.of("Europe/Berlin"), clock.getZone());
        assertEquals(1, lookups.get());
    }

    @Test
    void theHostsZoneIsTheJvmsDefaultAndAnotherZoneIsTheSystemClockInIt() {
        assertEquals(ZoneId.systemDefault(), new HostClock().getZone());
        assertEquals(ZoneId.of("UTC"), new HostClock().withZone(ZoneId.of("UTC")).getZone());
    }
}
