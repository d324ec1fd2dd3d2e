package dev.npc.daemon.loop;

import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.report.Metrics;
import dev.npc.daemon.report.Reporter;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.stage.Activator;
import dev.npc.daemon.stage.Builder;
import dev.npc.daemon.stage.Fetcher;
import dev.npc.daemon.stage.FlakeCache;
import dev.npc.daemon.stage.Generation;
import dev.npc.daemon.stage.Generations;
import dev.npc.daemon.stage.HealthChecker;
import dev.npc.daemon.stage.Hooks;
import dev.npc.daemon.stage.Rollback;
import dev.npc.daemon.stage.RunningSystem;
import dev.npc.daemon.stage.StageFailure;
import dev.npc.daemon.stage.SwitchBusy;
import dev.npc.digest.Sha256;
import dev.npc.host.Action;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.Phase;
import dev.npc.host.Result;
import dev.npc.pack.PackException;
import dev.npc.pack.Prebuilt;
import dev.npc.store.GetResult;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One activation attempt of one target, through the stages in order: fetch, build, activate,
 * check, and roll back when activating or checking fails. Every phase change is reported before
 * the step starts; the attempt ends with exactly one result and one history record. Outside the
 * maintenance window it stops after the build, with no result: the built system waits, and the
 * attempt that switches to it starts from there. After a healthy switch it records whether the
 * host needs a reboot ({@link RebootFlow}).
 */
public final class Deployment {
    private final Fetcher fetcher;
    private final FlakeCache flakes;
    private final Builder builder;
    private final Activator activator;
    private final HealthChecker health;
    private final Rollback rollback;
    private final Hooks hooks;
    private final Reporter reporter;
    private final Metrics metrics;
    private final RetryLedger ledger;
    private final Path inFlightFile;
    private final StopSignal stop;
    private final Clock clock;
    private final EventLog log;
    private final Generations generations;
    private final RebootFlow reboots;

    /**
     * @param generations prunes old system generations after a healthy switch, or null to keep them all
     * @param reboots     records whether a healthy switch needs a reboot
     */
    public Deployment(Fetcher fetcher, FlakeCache flakes, Builder builder, Activator activator, HealthChecker health,
                      Rollback rollback, Hooks hooks, Reporter reporter, Metrics metrics, RetryLedger ledger,
                      Path inFlightFile, StopSignal stop, Clock clock, EventLog log, Generations generations,
                      RebootFlow reboots) {
        this.generations = generations;
        this.reboots = reboots;
        this.fetcher = fetcher;
        this.flakes = flakes;
        this.builder = builder;
        this.activator = activator;
        this.health = health;
        this.rollback = rollback;
        this.hooks = hooks;
        this.reporter = reporter;
        this.metrics = metrics;
        this.ledger = ledger;
        this.inFlightFile = inFlightFile;
        this.stop = stop;
        this.clock = clock;
        this.log = log;
    }

    /**
     * The outcome of an attempt; {@code switched} is true when a new system was activated and kept.
     * {@code busy} says why no attempt happened when another switch ran on the host (then
     * {@code attempt} is null: nothing is recorded against the version, and the next poll tries again).
     * {@code held} is true when the window was closed after the build: {@code toplevel} waits, built,
     * and {@code attempt} is null.
     */
    public record Outcome(Attempt attempt, boolean switched, String toplevel, String busy, boolean held) { }

    /** Stopping between steps (SIGTERM) is not a failure of the version. */
    private static final class Stopped extends Exception {
        Stopped() {
            super("npc-daemon was stopped before the attempt finished; the next start tries again");
        }
    }

    /**
     * Runs one attempt. The attempt record ({@code attempt.json}) is deleted only when the attempt
     * ends with a result, or when the daemon is stopped: if anything else ends it (an
     * OutOfMemoryError, a bug, a report that cannot be written), the record stays, with what
     * ended it and in which phase, and {@link Recovery} charges it to the version's retries. So a
     * version that kills the daemon is tried at most {@code --retries} more times, never in a loop.
     *
     * @param body  the remote's body when the poll just read it (closed here), or null
     * @param gate  whether the maintenance window lets the switch start (asked after the build)
     * @param built the toplevel an earlier attempt built for this target and left waiting for the
     *              window, or null to fetch and build
     */
    public Outcome run(Target target, GetResult.Found body, WindowGate gate, String built)
            throws InterruptedException, IOException {
        InFlight flight = InFlight.started(target, ledger.failures(target) + 1, clock.instant());
        flight.save(inFlightFile);
        boolean ended = false;
        boolean held = false;
        try {
            Outcome outcome = attempt(target, flight, body, gate, built);
            ended = true;
            held = outcome.held();
            return outcome;
        } catch (InterruptedException e) {
            ended = true; // a stop, not the version's doing: reported as interrupted at the next start, not charged
            throw e;
        } catch (Throwable t) {
            recordCrash(t);
            throw t;
        } finally {
            try {
                if (body != null) {
                    body.close();
                }
            } finally {
                if (ended) {
                    // The profile roots an activated system now (or nothing needs rooting after a
                    // failure); after a crash the out-link keeps rooting it until recovery, and
                    // while it waits for the window until the attempt that switches to it.
                    if (!held) {
                        builder.release();
                    }
                    java.nio.file.Files.deleteIfExists(inFlightFile);
                }
            }
        }
    }

    /** Best effort, right after the throwable unwound the attempt (its memory is free again). */
    private void recordCrash(Throwable cause) {
        try {
            InFlight current = InFlight.read(inFlightFile);
            if (current != null) {
                current.withCrash(reporter.state().phase(), cause).save(inFlightFile);
            }
        } catch (Throwable again) {
            // The record without its cause is still charged at the next start.
        }
    }

    private Outcome attempt(Target target, InFlight flight, GetResult.Found body, WindowGate gate, String built)
            throws InterruptedException, IOException {
        String toplevel;
        try {
            if (built != null) {
                log.info(target.label() + " was built while the maintenance window was closed: " + built);
                toplevel = built;
            } else {
                toplevel = build(target, body);
            }
            flight = flight.withToplevel(toplevel);
            flight.save(inFlightFile);
            if (activator.isCurrent(toplevel, target.action())) {
                return alreadyRunning(target, flight, toplevel);
            }
            stopPoint();
            if (!gate.isOpen()) {
                // No result and no history: the attempt that switches to it, in the window, has them.
                return new Outcome(null, false, toplevel, null, true);
            }
            try {
                hooks.preActivate(target.remote(), target.sha256());
            } catch (StageFailure e) {
                throw new StageFailure("pre-activate hook failed, so " + target.label() + " was not activated: "
                        + e.getMessage(), e.logTail());
            }
        } catch (Stopped e) {
            return finish(target, flight, ended(flight, Result.INTERRUPTED).withError(e.getMessage(), null), null,
                    false, false, UnaryOperator.identity());
        } catch (StageFailure e) {
            if (e.refusal()) {
                // Trying again cannot change a refusal: one report, then wait for a change.
                Outcome outcome = finish(target, flight, ended(flight, Result.FAILED)
                        .withError(e.getMessage(), e.logTail()), null, false, false, UnaryOperator.identity());
                ledger.refused(target, clock.instant());
                return outcome;
            }
            return failed(target, flight, e);
        } catch (IOException e) {
            // The store or the network failed, not the version: it must not use up the version's
            // retries, or a flaky hour would leave the host waiting for a new version forever.
            return finish(target, flight, ended(flight, Result.FAILED)
                    .withError("cannot fetch " + target.label() + ": " + e.getMessage(), null), null, false, false,
                    UnaryOperator.identity());
        }
        List<String> failedBefore;
        try {
            activator.checkNotBusy();
            // What had failed before the switch, so a host that was already degraded is judged by
            // what fails since (the health check's baseline).
            failedBefore = Action.BOOT.equals(target.action()) ? List.of() : health.failedUnits();
        } catch (SwitchBusy busy) {
            return busy(busy.getMessage());
        } catch (StageFailure e) {
            return failed(target, flight, e);
        }
        // From here on the step in progress always runs to its end, stop or not: never half a switch.
        Generation previous = activator.remember();
        flight = flight.withPrevious(previous).withFailedBefore(failedBefore);
        flight.save(inFlightFile);
        enter(Phase.ACTIVATING, "activating " + target.label() + " with switch-to-configuration "
                + target.action());
        List<String> excused = List.of();
        try {
            activator.activate(toplevel, target.action());
            if (!Action.BOOT.equals(target.action())) {
                enter(Phase.CHECKING, "checking " + target.label());
                excused = health.check(failedBefore).failedBefore();
            }
        } catch (SwitchBusy busy) {
            // Another switch took the unit between the check and ours: nothing was switched, so
            // only the profile goes back to what it named.
            try {
                if (!Action.TEST.equals(target.action()) && previous.profile() != null) {
                    activator.setProfile(previous.profile());
                }
            } catch (StageFailure e) {
                log.warn("cannot put the system profile back to " + previous.profile() + ": " + e.getMessage());
            }
            return busy(busy.getMessage());
        } catch (StageFailure failure) {
            return rollBack(target, flight, previous, failure);
        }
        if (!excused.isEmpty()) {
            log.warn("not counted against " + target.label() + ", because they had failed before the switch: "
                    + String.join(", ", excused));
        }
        Current current = flight.runningSince(clock.instant());
        Attempt succeeded = ended(flight, Result.SUCCESS).withFailedBefore(excused);
        UnaryOperator<HostState> reboot = UnaryOperator.identity();
        if (reboots != null && Action.SWITCH.equals(target.action())) {
            // What only a reboot brings in (kernel, initrd, kernel parameters): state.json's reboot.
            HostState.Reboot need = reboots.afterSwitch(flight, succeeded, reporter.state().current());
            reboot = s -> s.withReboot(need);
        }
        Outcome outcome = finish(target, flight, succeeded, current, true, true, reboot);
        if (generations != null && !Action.TEST.equals(target.action())) {
            generations.prune();
        }
        try {
            hooks.postActivate(target.remote(), target.sha256());
        } catch (StageFailure e) {
            log.warn("post-activate hook: " + e.getMessage());
        }
        return outcome;
    }

    /** Downloads and verifies the remote (unless only a pre-built toplevel is realised), then builds; returns the toplevel. */
    private String build(Target target, GetResult.Found body)
            throws StageFailure, IOException, InterruptedException, Stopped {
        Path flake = null;
        String prebuilt = target.prebuilt();
        boolean signed = fetcher.signaturesRequired();
        // Without trusted keys a desired.json prebuilt is realised as named, unchecked (the
        // daemon warns at start). With keys the remote is always fetched: its signed archive
        // says which toplevel, if any, this configuration may realise.
        if (prebuilt == null || signed) {
            enter(Phase.DOWNLOADING, "downloading " + target.label());
            flake = fetcher.fetch(target.remote(), target.sha256(), body);
            prune(target);
            prebuilt = prebuiltFor(target, flake, signed);
        }
        stopPoint();
        enter(Phase.BUILDING, (prebuilt == null ? "building " : "realising pre-built " + prebuilt + " for ")
                + target.label());
        String toplevel = prebuilt == null ? builder.build(flake, target.configuration()) : builder.realise(prebuilt);
        if (prebuilt != null && signed && !prebuilt.equals(toplevel)) {
            throw StageFailure.refusal("nix-store --realise " + prebuilt + " printed " + toplevel
                    + ", not the signed toplevel itself; nothing was activated");
        }
        return toplevel;
    }

    /**
     * The build gave the system that already runs: no switch, no restarts. Unless this daemon
     * recorded that system as passing its checks, check it now (e.g. after a restart mid-switch).
     */
    private Outcome alreadyRunning(Target target, InFlight flight, String toplevel)
            throws InterruptedException, IOException {
        HostState.Current known = reporter.state().current();
        // A current without a version is a system npc saw running but never checked (e.g. after kill -9).
        boolean vouched = known != null && known.sha256() != null && RunningSystem.same(known.system(), toplevel);
        if (!vouched && !Action.BOOT.equals(target.action())) {
            enter(Phase.CHECKING, "checking " + target.label() + " (already running)");
            try {
                health.check();
            } catch (StageFailure e) {
                return failed(target, flight, e);
            }
        }
        log.info(target.label() + " is already the running system; nothing to switch");
        Instant activatedAt = vouched && known.activatedAt() != null ? known.activatedAt() : clock.instant();
        return finish(target, flight, ended(flight, Result.SUCCESS), flight.runningSince(activatedAt), false, true,
                UnaryOperator.identity());
    }

    private Outcome rollBack(Target target, InFlight flight, Generation previous, StageFailure failure)
            throws InterruptedException, IOException {
        enter(Phase.ROLLING_BACK, "rolling back " + target.label() + ": " + failure.getMessage());
        try {
            rollback.restore(previous, target.action());
            return finish(target, flight, ended(flight, Result.ROLLED_BACK)
                    .withError(failure.getMessage(), failure.logTail()), null, false, true, UnaryOperator.identity());
        } catch (StageFailure rollbackFailure) {
            String running = RunningSystem.resolve(activator.currentSystemLink());
            HostState.Current before = reporter.state().current();
            Current current = before != null && RunningSystem.same(before.system(), running) ? before
                    : Current.unvouched(running);
            String tail = joinTails(failure.logTail(), rollbackFailure.logTail());
            return finish(target, flight, ended(flight, Result.FAILED).withError(failure.getMessage()
                    + "; the rollback failed too: " + rollbackFailure.getMessage(), tail), current, false, true,
                    UnaryOperator.identity());
        }
    }

    /** The attempt's record, ended now with {@code result}. */
    private Attempt ended(InFlight flight, Result result) {
        return flight.ended(result, clock.instant());
    }

    /** A step failed: the attempt failed, and it counts against the version's retries. */
    private Outcome failed(Target target, InFlight flight, StageFailure failure)
            throws InterruptedException, IOException {
        return finish(target, flight, ended(flight, Result.FAILED).withError(failure.getMessage(), failure.logTail()),
                null, false, true, UnaryOperator.identity());
    }

    /**
     * Ends the attempt: the retry ledger, one report (idle, with the attempt and what now runs),
     * one history record, the metrics, the log and the on-failure hook.
     *
     * @param current              what runs now when the attempt changed or learned it, else null (unchanged)
     * @param switched             a new system was activated and kept
     * @param countsAgainstVersion a failure uses up one of the version's retries (not when the
     *                             store failed, or when it was refused and waits for a change)
     * @param also                 anything else the same report says (after a switch: whether a reboot is required)
     */
    private Outcome finish(Target target, InFlight flight, Attempt attempt, Current current, boolean switched,
                           boolean countsAgainstVersion, UnaryOperator<HostState> also)
            throws InterruptedException, IOException {
        Result result = attempt.result();
        if (result == Result.SUCCESS) {
            ledger.clear();
        } else if (result != Result.INTERRUPTED && countsAgainstVersion) {
            ledger.failed(target, attempt.finishedAt());
        }
        HostState state = reporter.update(s -> {
            HostState next = also.apply(s.withPhase(Phase.IDLE).withLastAttempt(attempt).withMessage(null));
            return current == null ? next : next.withCurrent(current);
        });
        reporter.history(state);
        metrics.attemptFinished(attempt);
        if (result == Result.SUCCESS) {
            log.info(target.label() + ": success" + (switched ? ", now running " + flight.toplevel() : ""));
        } else {
            log.warn(target.label() + ": " + result + ": " + attempt.error());
            if (result != Result.INTERRUPTED) {
                try {
                    hooks.onFailure(target.remote(), target.sha256(), result.toString(), attempt.error());
                } catch (StageFailure e) {
                    log.warn("on-failure hook: " + e.getMessage());
                }
            }
        }
        return new Outcome(attempt, switched, flight.toplevel(), null, false);
    }

    /**
     * The toplevel to realise instead of building: the one the remote's .npc/prebuilt.json names
     * for this configuration. With trusted keys that file is covered by the signature, and a
     * desired.json {@code prebuilt} must be exactly it; without keys desired.json's wins.
     */
    private static String prebuiltFor(Target target, Path flake, boolean signed) throws StageFailure, IOException {
        String named;
        try {
            named = Prebuilt.read(flake).get(target.configuration());
        } catch (PackException e) {
            throw StageFailure.refusal("remote '" + target.remote() + "' (version " + Sha256.shortForm(target.sha256())
                    + "): " + e.getMessage());
        }
        if (signed && target.prebuilt() != null && !target.prebuilt().equals(named)) {
            throw StageFailure.refusal("desired.json's prebuilt " + target.prebuilt() + " is not signed for configuration '"
                    + target.configuration() + "': the signed remote '" + target.remote() + "' (version "
                    + Sha256.shortForm(target.sha256()) + ") names " + (named == null ? "no pre-built toplevel for it"
                    : named + " for it") + "; nothing was realised. Publish it with npc push --prebuilt "
                    + target.configuration() + "=" + target.prebuilt() + " --sign-key KEY, or drop prebuilt from"
                    + " desired.json");
        }
        return target.prebuilt() != null ? target.prebuilt() : named;
    }

    /** Another switch runs on the host: nothing happened to this version, the next poll tries again. */
    private Outcome busy(String message) {
        log.info(message);
        reporter.update(s -> s.withPhase(Phase.IDLE).withMessage(message));
        return new Outcome(null, false, null, message, false);
    }

    private void enter(Phase phase, String message) {
        log.info(message);
        reporter.update(s -> s.withPhase(phase).withMessage(null));
    }

    private void stopPoint() throws Stopped {
        if (stop.requested()) {
            throw new Stopped();
        }
    }

    private void prune(Target target) {
        Set<String> protect = new HashSet<>();
        protect.add(target.sha256());
        HostState.Current current = reporter.state().current();
        if (current != null && Sha256.isHex(current.sha256())) {
            protect.add(current.sha256());
        }
        try {
            flakes.prune(protect);
        } catch (IOException e) {
            log.warn("cannot prune old flakes in " + flakes.root() + ": " + e.getMessage());
        }
    }

    private static String joinTails(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "\n--- rollback ---\n" + b;
    }
}
