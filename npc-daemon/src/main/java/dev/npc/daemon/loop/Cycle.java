package dev.npc.daemon.loop;

import dev.npc.daemon.config.Settings;
import dev.npc.files.OsFileLock;
import dev.npc.daemon.control.Flags;
import dev.npc.daemon.control.PauseFile;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.report.Metrics;
import dev.npc.daemon.report.Reporter;
import dev.npc.daemon.stage.Activator;
import dev.npc.daemon.stage.PollResult;
import dev.npc.daemon.stage.Poller;
import dev.npc.daemon.stage.RunningSystem;
import dev.npc.host.Desired;
import dev.npc.host.HostState;
import dev.npc.host.HostState.DesiredRef;
import dev.npc.host.HostState.Paused;
import dev.npc.host.Phase;
import dev.npc.host.RebootPolicy;
import dev.npc.host.Result;
import dev.npc.store.IntegrityException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * One pass of the loop: poll, decide, and run an attempt when one is due. Nothing is downloaded
 * or built when both documents answer 304 and nothing is pending.
 *
 * <p>The maintenance window (desired.json's, else --window) holds back switches: outside it a new
 * version is downloaded, verified and built, then waits (state.json's {@code waiting}), and the
 * first pass inside the window switches to what was built. npc's first activation on a host does
 * not wait, and {@code npc-daemon trigger --now} lets one pass ignore the window. When the host
 * runs its desired version, a reboot the switch made necessary is made here ({@link RebootFlow}).
 */
public final class Cycle {
    /** How a pass ended. */
    public enum Kind { IDLE, UP_TO_DATE, PAUSED, BLOCKED, ERROR, STORE_UNREACHABLE, BUSY, ATTEMPTED, WAITING, REBOOTING }

    public record Outcome(Kind kind, Deployment.Outcome attempt) {
        public boolean ok() {
            return switch (kind) {
                case ERROR, STORE_UNREACHABLE -> false;
                case ATTEMPTED -> attempt.attempt().result() == Result.SUCCESS;
                default -> true;
            };
        }
    }

    private final Settings settings;
    private final StateDir dir;
    private final Poller poller;
    private final Deployment deployment;
    private final Activator activator;
    private final Reporter reporter;
    private final Metrics metrics;
    private final RetryLedger ledger;
    private final PauseFile pauseFile;
    private final OsFileLock lock;
    private final StopSignal stop;
    private final Clock clock;
    private final EventLog log;
    private final RebootFlow reboots;
    private String lastNote;
    private Runnable onLock = () -> { };

    public Cycle(Settings settings, Poller poller, Deployment deployment, Activator activator, Reporter reporter,
                 Metrics metrics, RetryLedger ledger, StopSignal stop, Clock clock, EventLog log, RebootFlow reboots) {
        this.reboots = reboots;
        this.settings = settings;
        this.dir = settings.stateDir();
        this.poller = poller;
        this.deployment = deployment;
        this.activator = activator;
        this.reporter = reporter;
        this.metrics = metrics;
        this.ledger = ledger;
        this.pauseFile = new PauseFile(dir.paused());
        this.lock = new OsFileLock(dir.lock());
        this.stop = stop;
        this.clock = clock;
        this.log = log;
    }

    /** Runs when an attempt took the activation lock, before it starts (the daemon re-reads state.json). */
    public void onLock(Runnable action) {
        this.onLock = action;
    }

    public Outcome run() throws InterruptedException, IOException {
        if (stop.requested()) {
            return new Outcome(Kind.IDLE, null); // going down (a reboot recovery asked for): no poll
        }
        if (Flags.consume(dir.retry())) {
            log.info("retry requested: failed versions may be tried again");
            ledger.clear();
            reboots.allowAgain();
            poller.forgetEtags();
        }
        Flags.consume(dir.trigger());
        boolean overrideWindow = Flags.consume(dir.now());
        if (overrideWindow) {
            log.info("trigger --now: this poll's switch and reboot do not wait for the maintenance window");
        }
        reporter.flush();
        Instant now = clock.instant();
        Paused localPause = pauseFile.current(now);
        PollResult poll;
        try {
            poll = poller.poll();
        } catch (IOException | RuntimeException e) {
            metrics.polled(now, false);
            note("cannot poll " + settings.store() + ": " + e.getMessage() + "; trying again at the next poll", true);
            // A damaged body was reached, but nothing of it was taken (not even its ETag): the next poll reads it again.
            String what = e instanceof IntegrityException ? "store read damaged, read again at the next poll: "
                    : "store unreachable: ";
            reporter.update(s -> s.withMessage(what + e.getMessage()));
            return new Outcome(Kind.STORE_UNREACHABLE, null);
        }
        metrics.polled(now, true);
        if (poll.changed()) {
            ledger.forgetRefusal();
        }
        try (poll) {
            return decide(poll, localPause, overrideWindow);
        }
    }

    private Outcome decide(PollResult poll, Paused localPause, boolean overrideWindow)
            throws InterruptedException, IOException {
        if (poll.missingKey() != null) {
            String message = "no " + poll.missingKey() + " in " + settings.store() + " yet; set it with npc hosts set "
                    + settings.host() + " --remote NAME (or Terraform)";
            note(message, false);
            waiting(null, localPause, message);
            return new Outcome(Kind.IDLE, null);
        }
        if (poll.desired() == null) {
            note(poll.error(), true);
            waiting(DesiredRef.unusable(null, null, poll.error()), localPause, null);
            return new Outcome(Kind.ERROR, null);
        }
        Desired desired = poll.desired();
        String configuration = desired.configuration() != null ? desired.configuration()
                : settings.configuration() != null ? settings.configuration() : settings.host();
        if (poll.error() != null) {
            note(poll.error(), true);
            waiting(DesiredRef.unusable(desired.remote(), configuration, poll.error())
                    .from(poller.desiredEtag(), desired), localPause, null);
            return new Outcome(Kind.ERROR, null);
        }
        Target target = new Target(desired.remote(), poll.sha256(), configuration,
                desired.actionOrDefault(settings.action()), desired.prebuilt());
        // With the desired.json it came from: a fleet read that lists that ETag takes this copy.
        DesiredRef ref = DesiredRef.resolved(target.remote(), configuration, target.sha256())
                .from(poller.desiredEtag(), desired);
        Paused paused = localPause != null ? localPause
                : desired.isPaused() ? new Paused(null, null, "paused in desired.json") : null;
        if (paused != null) {
            String message = "paused" + (paused.reason() == null ? "" : " (" + paused.reason() + ")")
                    + (paused.until() == null ? "" : " until " + paused.until())
                    + (isCurrent(target) ? "" : "; not activating " + target.label());
            note(message, false);
            waiting(ref, paused, message);
            return new Outcome(Kind.PAUSED, null);
        }
        WindowGate gate = new WindowGate(desired.windowOr(settings.window()), overrideWindow, clock);
        RebootPolicy rebootPolicy = desired.rebootOr(settings.reboot());
        if (isCurrent(target)) {
            note(target.label() + " is up to date", false);
            waiting(ref, null, null);
            if (reboots.decide(rebootPolicy, gate, lock)) {
                return new Outcome(Kind.REBOOTING, null);
            }
            return new Outcome(Kind.UP_TO_DATE, null);
        }
        String blocked = ledger.blocked(target, clock.instant());
        if (blocked != null) {
            note(blocked, false);
            waiting(ref, null, blocked);
            return new Outcome(Kind.BLOCKED, null);
        }
        if (stop.requested()) {
            return new Outcome(Kind.IDLE, null);
        }
        // npc's first activation on a host (it never recorded what runs) does not wait: a new host
        // comes up with its configuration.
        WindowGate activation = reporter.state().current() == null ? gate.overridden() : gate;
        String built = builtFor(target);
        if (built != null && !activation.isOpen()) {
            return held(target, ref, activation, built);
        }
        reporter.update(s -> s.withDesired(ref).withPaused(null).withWaiting(null));
        Deployment.Outcome attempt;
        try (OsFileLock.Held held = lock.tryAcquire()) {
            if (held == null) {
                note("another npc-daemon is activating on this host; skipping this poll", true);
                return new Outcome(Kind.BUSY, null);
            }
            lastNote = null;
            onLock.run();
            attempt = deployment.run(target, poll.remoteBody(), activation, built);
            if (attempt.busy() != null) {
                return new Outcome(Kind.BUSY, null);
            }
        }
        if (attempt.held()) {
            return held(target, ref, activation, attempt.toplevel());
        }
        if (attempt.switched() && reboots.decide(rebootPolicy, gate, lock)) {
            return new Outcome(Kind.REBOOTING, attempt);
        }
        return new Outcome(Kind.ATTEMPTED, attempt);
    }

    /** {@code target} is built and waits for the window: state.json says until when. */
    private Outcome held(Target target, DesiredRef ref, WindowGate gate, String built) {
        Instant next = gate.next();
        String message = "waiting for window " + gate.window() + " (next: " + next + "): " + target.label()
                + " is built and switches then";
        note(message, false);
        HostState.Waiting waiting = new HostState.Waiting(gate.window().toString(), next, target.remote(),
                target.configuration(), target.sha256(), built);
        reporter.update(s -> s.withPhase(Phase.IDLE).withDesired(ref).withPaused(null).withWaiting(waiting)
                .withMessage(message));
        return new Outcome(Kind.WAITING, null);
    }

    /** The system an earlier pass built for {@code target} and left waiting for the window, when it still exists. */
    private String builtFor(Target target) {
        HostState.Waiting waiting = reporter.state().waiting();
        if (waiting == null || waiting.system() == null || !Objects.equals(target.sha256(), waiting.sha256())
                || !Objects.equals(target.remote(), waiting.remote())
                || !Objects.equals(target.configuration(), waiting.configuration())
                || target.prebuilt() != null && !RunningSystem.same(target.prebuilt(), waiting.system())
                || RunningSystem.resolve(Path.of(waiting.system())) == null) {
            return null;
        }
        return waiting.system();
    }

    /**
     * Nothing to attempt in this pass: the report says what is desired (or why it cannot be used),
     * whether updates are paused, and what the daemon waits for.
     */
    private void waiting(DesiredRef desired, Paused paused, String message) {
        reporter.update(s -> s.withPhase(Phase.IDLE).withDesired(desired).withPaused(paused).withMessage(message)
                .withWaiting(null));
    }

    /** Whether the host already runs {@code target}, as this daemon recorded and the system links confirm. */
    private boolean isCurrent(Target target) {
        HostState.Current current = reporter.state().current();
        return current != null && current.system() != null
                && Objects.equals(target.sha256(), current.sha256())
                && Objects.equals(target.remote(), current.remote())
                && Objects.equals(target.configuration(), current.configuration())
                && activator.isCurrent(current.system(), target.action());
    }

    /** Logs a waiting condition once, not at every poll. */
    private void note(String message, boolean warning) {
        if (Objects.equals(message, lastNote)) {
            return;
        }
        lastNote = message;
        if (message == null) {
            return;
        }
        if (warning) {
            log.warn(message);
        } else {
            log.info(message);
        }
    }
}
