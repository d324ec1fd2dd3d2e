package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Terminal;
import dev.npc.digest.Sha256;
import dev.npc.fleet.FleetWaiter;
import dev.npc.fleet.HostView;
import dev.npc.remote.RemoteName;
import dev.npc.store.Store;
import dev.npc.text.SafeText;
import dev.npc.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "wait", mixinStandardHelpOptions = true,
        description = {"Gate CI: wait until the hosts following a remote run its current version.",
                "",
                "Waits until every host following the remote runs its current version and passed its checks;"
                        + " stops at once when one of them failed or rolled back. A host's report counts only once"
                        + " it is about the remote's current version (or newer than its publication): an older"
                        + " report is waited for, not read as a failure.",
                "",
                "Exit codes: 0 all up to date, 1 a host failed or rolled back (named), 2 usage, 3 timeout, 4 the"
                        + " remote does not exist, or no host follows it (unless --allow-empty)."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc push --src . --remote staging && npc wait --remote staging --timeout 20m",
                "  npc wait --remote prod --hosts web-1,web-2"})
public final class WaitCommand implements Callable<Integer> {
    static final int TIMEOUT = 3;
    static final int NO_HOSTS = 4;

    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;
    @Mixin
    FleetMixin fleetOptions;

    @Option(names = "--remote", required = true, paramLabel = "NAME", description = "Remote to wait for.")
    String remote;

    @Option(names = "--hosts", paramLabel = "HOST", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Only these hosts (comma-separated or repeated).")
    List<String> hosts = List.of();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", description = "Give up after (default: 30m).")
    Duration timeout;

    @Option(names = "--allow-empty", description = "Exit 0 when no host follows the remote.")
    boolean allowEmpty;

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        Set<String> only = new LinkedHashSet<>(hosts);
        only.forEach(dev.npc.host.HostName::check);
        Duration every = fleetOptions.every();
        try (Store store = storeOptions.open()) {
            boolean live = Terminal.interactive();
            FleetWaiter.Outcome outcome = fleetOptions.waiter(store).await(remote, only, null,
                    timeout, every, progress -> {
                        if (live) {
                            console.err().printf("\r\u001B[Kwaiting for %s %s: %d/%d up to date%s", remote,
                                    Sha256.shortForm(progress.version()), progress.done(), progress.total(),
                                    progress.paused() > 0 ? ", " + progress.paused() + " paused" : "");
                            console.err().flush();
                        }
                    });
            fleetOptions.saveCache(console);
            if (live) {
                console.err().print("\r\u001B[K");
                console.err().flush();
            }
            return report(outcome, only, store.url());
        }
    }

    private int report(FleetWaiter.Outcome outcome, Set<String> only, String storeUrl) {
        if (outcome instanceof FleetWaiter.NoRemote) {
            console.err().println("npc: remote '" + remote + "' does not exist in " + storeUrl
                    + "; nothing can become up to date on it: check the name (npc remotes) or push it first");
            console.err().flush();
            return NO_HOSTS;
        }
        if (outcome instanceof FleetWaiter.Done done) {
            console.println(remote + " " + Sha256.shortForm(done.version()) + ": " + (done.hosts().size() - done.paused().size())
                    + (done.hosts().size() - done.paused().size() == 1 ? " host" : " hosts") + " up to date" + (done.paused().isEmpty() ? ""
                    : ", paused and skipped: " + names(done.paused())));
            return 0;
        }
        if (outcome instanceof FleetWaiter.Failed failed) {
            console.err().println("npc: " + SafeText.line(FleetWaiter.describe(failed)));
            console.err().flush();
            return 1;
        }
        if (outcome instanceof FleetWaiter.TimedOut timedOut) {
            console.err().println("npc: timed out after " + Durations.format(timeout) + " waiting for " + remote + " "
                    + Sha256.shortForm(timedOut.version()) + " on " + timedOut.notDone().stream()
                    .map(h -> SafeText.line(h.host()) + " (" + h.status().label() + ")").collect(Collectors.joining(", ")));
            console.err().flush();
            return TIMEOUT;
        }
        String message = only.isEmpty() ? "no host follows remote '" + remote + "'"
                : "none of " + String.join(",", only) + " follows remote '" + remote + "'";
        if (allowEmpty) {
            console.println(message + "; nothing to wait for");
            return 0;
        }
        console.err().println("npc: " + message + "; check npc hosts list (or pass --allow-empty)");
        console.err().flush();
        return NO_HOSTS;
    }

    private static String names(java.util.List<HostView> hosts) {
        return hosts.stream().map(h -> SafeText.line(h.host())).collect(Collectors.joining(", "));
    }
}
