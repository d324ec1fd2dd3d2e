package dev.npc.daemon;

import dev.npc.daemon.config.Settings;
import dev.npc.files.OsFileLock;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.control.Waiter;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.loop.Cycle;
import dev.npc.daemon.loop.Deployment;
import dev.npc.daemon.loop.FollowLoop;
import dev.npc.daemon.loop.RebootFlow;
import dev.npc.daemon.loop.Recovery;
import dev.npc.daemon.loop.RetryLedger;
import dev.npc.daemon.loop.SelfUpdate;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.report.Metrics;
import dev.npc.daemon.report.Reporter;
import dev.npc.daemon.stage.Activator;
import dev.npc.daemon.stage.Builder;
import dev.npc.daemon.stage.Commands;
import dev.npc.daemon.stage.Fetcher;
import dev.npc.daemon.stage.FlakeCache;
import dev.npc.daemon.stage.Generations;
import dev.npc.daemon.stage.HealthCheck;
import dev.npc.daemon.stage.HealthChecker;
import dev.npc.daemon.stage.Hooks;
import dev.npc.daemon.stage.Poller;
import dev.npc.daemon.stage.RemoteTrust;
import dev.npc.daemon.files.SequenceStore;
import dev.npc.remote.RemoteDownloader;
import dev.npc.daemon.stage.Rollback;
import dev.npc.daemon.stage.UnitFile;
import dev.npc.host.HostState;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.store.Store;
import dev.npc.time.Sleeper;

import java.io.IOException;
import java.nio.file.Files;

/** Wires the stages of the loop from resolved settings and the outside world's seams. */
public final class Daemon implements AutoCloseable {
    public static final String VERSION = "0.1.0";

    private final Store store;
    private final Reporter reporter;
    private final Cycle cycle;
    private final FollowLoop loop;
    private final StopSignal stop;

    public Daemon(Settings settings, Seams seams, EventLog log) throws IOException {
        StateDir dir = settings.stateDir();
        Files.createDirectories(dir.root());
        this.store = seams.stores().apply(settings);
        this.stop = new StopSignal();
        int pollSeconds = (int) Math.max(1, settings.interval().toSeconds());
        HostState previous = Reporter.readLocal(dir);
        HostState initial = previous == null ? HostState.initial(settings.host(), VERSION, pollSeconds)
                : previous.withDaemon(settings.host(), VERSION, pollSeconds);
        this.reporter = new Reporter(dir, store, settings.host(), seams.clock(), log, initial);
        if (previous != null && !previous.sameContentAs(initial)) {
            // A new version or interval (a restart into a changed unit) is news for npc status.
            reporter.unwritten();
        }
        Metrics metrics = new Metrics(settings.metricsFile(), log);
        reporter.onChange(metrics::stateChanged);
        metrics.stateChanged(initial);

        if (settings.verifier().enforcing()) {
            log.info("accepting only remotes signed by trusted key " + settings.verifier().describeKeys()
                    + " for the name they are read under, at a sequence no lower than one accepted before;"
                    + " pre-built toplevels only as the signed remote names them");
        } else {
            log.warn("no trusted keys: remotes are checked against their sha256 only, signed or not, and a"
                    + " pre-built toplevel that desired.json names is realised and switched to unchecked"
                    + " (set --trusted-key to require signatures)");
        }
        if (!settings.allowedRemotes().isEmpty()) {
            log.info("following only remotes " + String.join(", ", settings.allowedRemotes()));
        }
        RemoteTrust trust = new RemoteTrust(settings.allowedRemotes(),
                new RemoteDownloader(new Unpacker(UnpackLimits.DEFAULT), settings.verifier()),
                SequenceStore.open(dir.sequences()));
        Commands commands = new Commands(seams.processes());
        FlakeCache flakes = new FlakeCache(dir.flakes(), seams.clock());
        // A switch past its timeout is reported and given as long again before npc asks systemd to stop it.
        Activator activator = new Activator(commands, seams.processes(), settings.system(), settings.switchTimeout(),
                settings.switchTimeout(), dir.switchOutput(), log);
        activator.onNotice(message -> reporter.update(s -> s.withMessage(message)));
        HealthChecker health = new HealthChecker(commands, settings.system().systemctl(),
                HealthCheck.from(settings, commands), settings.healthTimeout(), settings.healthRetryPause(),
                seams.clock(), seams.sleeper(), settings.healthStrict());
        RetryLedger ledger = new RetryLedger(dir.retries(), settings.retries(), settings.retryBackoff());
        Hooks hooks = new Hooks(commands, settings.hooks(), settings.host());
        RebootFlow reboots = new RebootFlow(seams.rebooter(), settings.system(), dir.reboot(), reporter, health,
                new Rollback(activator), ledger, hooks, metrics, stop, seams.sleeper(), seams.clock(), log);
        Deployment deployment = new Deployment(
                new Fetcher(store, flakes, trust), flakes,
                new Builder(commands, settings.system(), settings.extraSubstituters(), settings.substituterKeys(),
                        settings.buildTimeout(), dir.result(), seams.env()),
                activator,
                health,
                new Rollback(activator), hooks,
                reporter, metrics, ledger, dir.inFlight(), stop, seams.clock(), log,
                new Generations(commands, activator, settings.system(), settings.keepGenerations(), log), reboots);
        this.cycle = new Cycle(settings, new Poller(store, settings.host(), dir.poll(), trust), deployment, activator, reporter, metrics,
                ledger, stop, seams.clock(), log, reboots);
        // Another process may have written state.json while this one did not hold the lock.
        cycle.onLock(() -> reporter.reload(s -> s.withDaemon(settings.host(), VERSION, pollSeconds)));
        Recovery recovery = new Recovery(reporter, ledger, dir.inFlight(), settings.system().currentSystem(),
                seams.clock(), log, new Rollback(activator), health, reboots);
        // npc.service as this daemon was started with it: the running system's unit, read now.
        UnitFile runningUnit = UnitFile.of(settings.system().currentSystem(), SelfUpdate.UNIT);
        // File events only when time is real: a watch waits in real time, which a test's sleeper
        // does not (its loops look in slices, as where the file system has no events).
        this.loop = new FollowLoop(recovery, cycle, new Waiter(seams.sleeper(), seams.clock(), stop, dir.trigger(),
                dir.retry(), seams.sleeper() == Sleeper.SYSTEM), new SelfUpdate(settings.selfPath(), runningUnit), stop, settings.interval(),
                settings.jitter(), seams.random(), log)
                .withLock(new OsFileLock(dir.lock()), seams.sleeper(),
                        () -> reporter.reload(s -> s.withDaemon(settings.host(), VERSION, pollSeconds)),
                        reporter::state)
                .withSwitches(activator);
    }

    public int follow(FollowLoop.Mode mode) throws IOException, InterruptedException {
        return loop.run(mode);
    }

    public StopSignal stopSignal() {
        return stop;
    }

    public Reporter reporter() {
        return reporter;
    }

    @Override
    public void close() {
        store.close();
    }
}
