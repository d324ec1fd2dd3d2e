package dev.npc.cli.fleet;

import dev.npc.fleet.FleetReader;
import dev.npc.fleet.FleetWaiter;
import dev.npc.store.Store;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;

/** How fleet commands read hosts: concurrency and when a silent host counts as stale. */
@Command
public final class FleetMixin {
    @Option(names = "--stale-after", paramLabel = "N", defaultValue = "3",
            description = "A host is stale after N report intervals without a report (default: 3).")
    int staleMultiple;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "" + FleetReader.DEFAULT_CONCURRENCY,
            description = "Requests in flight while reading hosts (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "5s",
            description = "How often to look at the fleet (default: ${DEFAULT-VALUE}).")
    Duration every;

    /** The --every interval, checked: a loop that never sleeps would spin and flood the store. */
    Duration every() {
        if (every.isZero()) {
            throw new IllegalArgumentException("--every " + Durations.format(every) + " is zero: the fleet would be"
                    + " read in a tight loop; give a positive interval, e.g. 5s or 500ms");
        }
        return every;
    }

    FleetReader reader(Store store) {
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("--concurrency must be between 1 and 256, not " + concurrency);
        }
        return new FleetReader(store, concurrency);
    }

    FleetWaiter waiter(Store store) {
        return new FleetWaiter(reader(store), Clock.systemUTC(), Sleeper.SYSTEM, staleMultiple);
    }
}
