package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.process.SystemProcessRunner;
import dev.npc.store.Store;
import dev.npc.text.SafeText;
import dev.npc.time.Sleeper;
import dev.npc.watch.Backoff;
import dev.npc.watch.CommandDestination;
import dev.npc.watch.Destination;
import dev.npc.watch.StateFile;
import dev.npc.watch.Watcher;
import dev.npc.watch.WebhookDestination;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "watch", mixinStandardHelpOptions = true,
        defaultValueProvider = WatchCommand.Defaults.class,
        description = {"Send one message per fleet change that matters, to webhooks or a command.",
                "",
                "Looks at the whole fleet (as npc status does) and rollouts/last.json, and sends one JSON"
                        + " message per change: a host failed, rolled back, went stale or recovered (up to"
                        + " date again), a rollout stopped. Its text field is Slack-compatible, with"
                        + " everything from the bucket escaped.",
                "",
                "Each fact is sent once: a state file remembers what was sent and what is still to"
                        + " send, so a restart resends only what was not delivered. A failing destination"
                        + " is retried (1s doubling to 5min, with jitter) without holding up the others;"
                        + " one that refuses an event (a 4xx other than 408 and 429) gets 3 tries, then"
                        + " the event is dropped and logged. The first start sends the fleet's current"
                        + " problems once.",
                "",
                "--on-change runs the command line CMD per event with /bin/sh -c, as the daemon's hooks,"
                        + " with the event's JSON on stdin and NPC_EVENT,"
                        + " NPC_EVENT_HOST, NPC_EVENT_REMOTE, NPC_EVENT_VERSION, NPC_EVENT_DETAIL,"
                        + " NPC_EVENT_TEXT in its environment; exit 0 delivers.",
                "",
                "Exit codes: --once: 0 every event delivered, 1 an event still waits (kept for the next"
                        + " run) or the fleet could not be read, 2 usage. Without --once it runs until"
                        + " stopped; 1 when it cannot start (state file in use or unreadable)."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc watch --webhook https://chat.example.com/hooks/npc",
                "  npc watch --once --on-change 'logger -t npc-watch' --state ci-watch.json",
                "  npc watch --webhook-file /run/secrets/npc-webhooks --every 1m"})
public final class WatchCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;
    @Mixin
    FleetMixin fleetOptions;

    @Option(names = "--webhook", paramLabel = "URL",
            description = "POST each event as JSON to this http(s) URL (repeatable).")
    List<String> webhooks = new ArrayList<>();

    @Option(names = "--webhook-file", paramLabel = "FILE",
            description = "Read webhook URLs from FILE, one a line (# comments): keeps them out of ps and unit"
                    + " files.")
    Path webhookFile;

    @Option(names = "--on-change", paramLabel = "CMD", description = "Run CMD for each event (repeatable).")
    List<String> commands = new ArrayList<>();

    @Option(names = "--state", paramLabel = "FILE",
            description = "The state file (default: one per store URL, in $XDG_STATE_HOME/npc/ or ~/.local/state/npc/).")
    Path state;

    @Option(names = "--once", description = "Look once, deliver, exit: for CI and cron.")
    boolean once;

    /** A service looks less often than a person at a terminal: --every is 30s here, 5s for status. */
    public static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec argument) {
            return argument.isOption() && ((CommandLine.Model.OptionSpec) argument).longestName().equals("--every")
                    ? "30s" : null;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Destination> destinations = destinations();
        java.time.Duration every = fleetOptions.every();
        try (Store store = storeOptions.open();
             StateFile stateFile = StateFile.open(state != null ? state : defaultState(store.url()))) {
            Watcher watcher = new Watcher(store, fleetOptions.reader(store), fleetOptions.staleMultiple, destinations,
                    stateFile, Clock.systemUTC(), Sleeper.SYSTEM, new Backoff(new java.util.Random()), this::log);
            if (!once) {
                log("watching " + store.url() + " every " + dev.npc.time.Durations.format(every) + ", sending to "
                        + String.join(", ", destinations.stream().map(Destination::describe).toList())
                        + "; state in " + stateFile.path());
                watcher.run(every);
                return 0;
            }
            watcher.look();
            int waiting = watcher.deliver(true);
            if (waiting > 0) {
                console.err().println("npc: " + waiting + " event(s) could not be delivered; they are kept in "
                        + stateFile.path() + " and sent by the next run");
                console.err().flush();
                return 1;
            }
            return 0;
        }
    }

    private List<Destination> destinations() throws IOException {
        List<String> urls = new ArrayList<>(webhooks);
        if (webhookFile != null) {
            for (String line : Files.readAllLines(webhookFile, StandardCharsets.UTF_8)) {
                String url = line.strip();
                if (!url.isEmpty() && !url.startsWith("#")) {
                    urls.add(url);
                }
            }
        }
        List<Destination> destinations = new ArrayList<>();
        for (String url : urls) {
            destinations.add(WebhookDestination.of(url));
        }
        for (String command : commands) {
            destinations.add(new CommandDestination(command, new SystemProcessRunner()));
        }
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("npc watch has nowhere to send events; give --webhook URL,"
                    + " --webhook-file FILE or --on-change CMD");
        }
        return destinations;
    }

    /** One state file per store, so watching two fleets from one account needs no --state. */
    static Path defaultState(String storeUrl) {
        String base = System.getenv("XDG_STATE_HOME");
        Path dir = base != null && !base.isBlank() && Path.of(base).isAbsolute() ? Path.of(base)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        String hash = Sha256.hex(storeUrl.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        return dir.resolve("npc").resolve("watch-" + hash + ".json");
    }

    private void log(String line) {
        synchronized (console) {
            console.out().println(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " "
                    + SafeText.line(line));
            console.out().flush();
        }
    }
}
