package dev.npc.daemon.command;

import dev.npc.daemon.Daemon;
import dev.npc.daemon.Seams;
import dev.npc.daemon.config.Settings;
import dev.npc.files.OsFileLock;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.report.EventLog;
import dev.npc.store.Layout;
import dev.npc.time.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "follow", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        description = {"Keeps this host on the configuration its desired.json names: polls the store, downloads"
                + " and verifies a new version, builds it, switches to it, checks its health, rolls back on failure,"
                + " and reports state.json at every phase.",
                "",
                "A setting not given as a flag comes from its environment variable (where it has one), else from"
                        + " config.json in the state directory (written by install), else from its default."},
        footer = {"", "Examples:",
                "  npc-daemon follow --store s3://my-fleet/npc --host web-1 \\",
                "      --health-url http://127.0.0.1/healthz --health-tcp 127.0.0.1:5432",
                "  npc-daemon follow --once            # one poll (and activation if due)",
                "  npc-daemon follow --once=activate   # poll until one activation ran",
                "  npc-daemon follow --once --debug    # one poll; errors with stack traces"})
public final class FollowCommand extends DaemonCommand implements Callable<Integer> {
    /** Seconds a SIGTERM waits for the step in progress; systemd's TimeoutStopSec in the module is 5 min. */
    static final long STOP_GRACE_SECONDS = 280;

    @Mixin
    Settings settings;

    @Option(names = "--once", arity = "0..1", fallbackValue = "poll", paramLabel = "activate",
            description = "Stop after one complete poll; --once=activate keeps polling until one activation happened"
                    + " (or the host already runs its desired version, or that version waits for the maintenance"
                    + " window).")
    String once;

    @Override
    public Integer call() throws Exception {
        FollowLoop.Mode mode = mode(once);
        return follow(settings.resolve(stateDir(), seams().hostname()), seams(), log(), mode);
    }

    static FollowLoop.Mode mode(String once) {
        if (once == null) {
            return FollowLoop.Mode.FOREVER;
        }
        return switch (once) {
            case "poll" -> FollowLoop.Mode.ONCE;
            case "activate" -> FollowLoop.Mode.UNTIL_ACTIVATED;
            default -> throw new IllegalArgumentException("--once=" + once + " is not valid; use --once or --once=activate");
        };
    }

    static int follow(Settings settings, Seams seams, EventLog log, FollowLoop.Mode mode) throws Exception {
        java.nio.file.Files.createDirectories(settings.stateDir().root());
        // Held while this process runs, so trigger and retry know someone sees their request;
        // a second follow on the same directory runs on without it (the activation lock keeps them apart).
        try (OsFileLock.Held running = new OsFileLock(settings.stateDir().running()).tryAcquire();
             Daemon daemon = new Daemon(settings, seams, log)) {
            StopSignal stop = daemon.stopSignal();
            seams.shutdownHooks().accept(new Thread(() -> {
                stop.request();
                // Said once the request is in: a stop can wait on a build or a switch for minutes,
                // and the journal should say why the unit is still "deactivating".
                log.info("asked to stop: the step in progress ends first");
                try {
                    stop.awaitStopped(STOP_GRACE_SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "npc-daemon-stop"));
            log.info("following " + Layout.desired(settings.host()) + " in " + settings.store()
                    + (mode == FollowLoop.Mode.FOREVER ? " every " + Durations.format(settings.interval()) : ""));
            return daemon.follow(mode);
        }
    }
}
