package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.files.CacheDirectory;
import dev.npc.fleet.DocumentCache;
import dev.npc.fleet.FleetReader;
import dev.npc.fleet.FleetWaiter;
import dev.npc.store.Store;
import dev.npc.text.SafeText;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * How fleet commands read hosts: concurrency, when a silent host counts as stale, and the local
 * cache of the hosts' documents. One reader per command, so wait's and rollout's later looks
 * send what the first one learnt.
 */
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

    @Option(names = "--no-cache",
            description = "Read every host's report from the store; keep no copy in $XDG_CACHE_HOME/npc"
                    + " (else ~/.cache/npc), where they are kept by ETag so the next run fetches only what changed.")
    boolean noCache;

    private FleetReader reader;

    /** The command's one reader (the same store each time). */
    FleetReader reader(Store store) {
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("--concurrency must be between 1 and 256, not " + concurrency);
        }
        if (reader == null) {
            reader = new FleetReader(store, concurrency,
                    noCache ? DocumentCache.inMemory() : DocumentCache.open(CacheDirectory.current(), store.identity()));
        }
        return reader;
    }

    FleetWaiter waiter(Store store) {
        return new FleetWaiter(reader(store), Clock.systemUTC(), Sleeper.SYSTEM, staleMultiple);
    }

    /** Keeps what the reader read for the next command; a cache that cannot be written only costs speed. */
    void saveCache(Console console) {
        String problem = reader == null ? null : reader.saveCache();
        if (problem != null) {
            console.err().println("npc: " + SafeText.line(problem) + "; the next run reads every document from the store");
            console.err().flush();
        }
    }
}
