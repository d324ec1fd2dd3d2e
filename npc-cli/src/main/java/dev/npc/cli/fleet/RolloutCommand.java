package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Terminal;
import dev.npc.digest.Sha256;
import dev.npc.fleet.FleetWaiter;
import dev.npc.fleet.Rollout;
import dev.npc.cli.trust.SigningMixin;
import dev.npc.remote.RemoteName;
import dev.npc.remote.Signing;
import dev.npc.text.SafeText;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {"Promote a tested version wave by wave; stop at the first failing wave.",
                "",
                "Promotes the version FROM holds now through the wave remotes, one at a time, waiting for each"
                        + " wave's hosts (as npc wait does) before the next. Stops at the first wave where a host"
                        + " failed or rolled back, or that times out; later waves are not touched.",
                "",
                "Before promoting anything it checks the waves: a wave remote that does not exist is refused (a"
                        + " typo would skip the canary) unless --create, and so is a wave no host follows (the"
                        + " version would pass it untested) unless --allow-empty-wave.",
                "",
                "Each wave gets a new publish sequence; --sign-key signs each wave's copy for it.",
                "",
                "Exit codes: 0 every wave up to date, 1 a wave failed, 2 usage, 3 timeout, 4 a remote does not"
                        + " exist or a wave has no hosts (nothing after it is touched)."},
        footerHeading = "%nExample:%n",
        footer = {"  npc rollout --from staging --through prod-canary,prod-early,prod --timeout 30m"})
public final class RolloutCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;
    @Mixin
    FleetMixin fleetOptions;

    @Option(names = "--from", required = true, paramLabel = "NAME", description = "Remote holding the tested version.")
    String from;

    @Option(names = "--through", required = true, paramLabel = "REMOTE", split = "\\s*,\\s*", splitSynopsisLabel = ",",
            description = "Wave remotes, in order (comma-separated or repeated).")
    List<String> waves;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m", description = "Per wave (default: 30m).")
    Duration timeout;

    @Option(names = "--create", description = "Create wave remotes that do not exist yet (else refused as a likely typo).")
    boolean create;

    @Option(names = "--allow-empty-wave", description = "Pass a wave that no host follows instead of stopping there.")
    boolean allowEmptyWave;

    @Mixin
    SigningMixin signingOptions;

    @Override
    public Integer call() throws Exception {
        RemoteName.check(from);
        Signing signing = signingOptions.signing();
        waves.forEach(RemoteName::check);
        if (waves.contains(from) || waves.stream().distinct().count() != waves.size()) {
            throw new IllegalArgumentException("--through must name each wave once and not include --from '" + from + "'");
        }
        Duration every = fleetOptions.every();
        try (Store store = storeOptions.open()) {
            if (store.head(dev.npc.store.Layout.remote(from)).isEmpty()) {
                console.err().println("npc: remote '" + from + "' does not exist in " + store.url()
                        + "; push it first (npc push --remote " + from + "); nothing was rolled out");
                console.err().flush();
                return WaitCommand.NO_HOSTS;
            }
            Rollout rollout = new Rollout(store, Clock.systemUTC(), fleetOptions.waiter(store), fleetOptions.reader(store),
                    signing);
            Rollout.Result result = rollout.run(from, waves, timeout, every,
                    new Rollout.Options(allowEmptyWave, create), new Printer(console, Terminal.interactive()));
            fleetOptions.saveCache(console);
            if (result.refused() != null) {
                console.err().println("npc: " + result.refused() + "; nothing was rolled out");
                console.err().flush();
                return WaitCommand.NO_HOSTS;
            }
            if (result.complete()) {
                console.println("rollout of " + Sha256.shortForm(result.version()) + " complete: " + String.join(" -> ", waves));
                return 0;
            }
            Rollout.WaveResult last = result.waves().get(result.waves().size() - 1);
            int index = waves.indexOf(last.remote());
            List<String> untouched = waves.subList(index + 1, waves.size());
            console.err().println("npc: rollout stopped at " + last.remote()
                    + (untouched.isEmpty() ? "" : "; not touched: " + String.join(", ", untouched)));
            console.err().flush();
            if (last.outcome() instanceof FleetWaiter.TimedOut) {
                return WaitCommand.TIMEOUT;
            }
            return last.outcome() instanceof FleetWaiter.NoHosts || last.outcome() instanceof FleetWaiter.NoRemote
                    ? WaitCommand.NO_HOSTS : 1;
        }
    }

    /** Prints one line per wave event; progress lines only on a terminal. */
    private record Printer(Console console, boolean live) implements Rollout.Listener {
        @Override
        public void promoted(String wave, String version, boolean unchanged) {
            console.println((unchanged ? "wave " + wave + " already at " : "promoted " + Sha256.shortForm(version) + " to ")
                    + (unchanged ? Sha256.shortForm(version) : wave));
        }

        @Override
        public void waiting(FleetWaiter.Progress progress) {
            if (live) {
                console.err().printf("\r\u001B[K  %s: %d/%d up to date", progress.remote(), progress.done(), progress.total());
                console.err().flush();
            }
        }

        @Override
        public void waveDone(String wave, FleetWaiter.Outcome outcome) {
            if (live) {
                console.err().print("\r\u001B[K");
            }
            String line;
            if (outcome instanceof FleetWaiter.Done done) {
                line = "  " + wave + ": " + done.hosts().size() + (done.hosts().size() == 1 ? " host" : " hosts") + " up to date";
            } else if (outcome instanceof FleetWaiter.Failed failed) {
                line = "  " + wave + ": FAILED: " + SafeText.line(FleetWaiter.describe(failed));
            } else if (outcome instanceof FleetWaiter.TimedOut timedOut) {
                line = "  " + wave + ": timed out waiting for " + SafeText.line(String.join(", ", timedOut.notDone().stream()
                        .map(h -> h.host() + " (" + h.status().label() + (h.detail() == null ? "" : ": " + h.detail()) + ")")
                        .toList()));
            } else if (outcome instanceof FleetWaiter.NoRemote) {
                line = "  " + wave + ": the remote does not exist";
            } else {
                line = "  " + wave + ": no hosts follow it";
            }
            console.println(line);
        }
    }
}
