package dev.npc.daemon.loop;

import dev.npc.daemon.Rebooter;
import dev.npc.daemon.config.SystemCommands;
import dev.npc.files.OsFileLock;
import dev.npc.daemon.control.StopSignal;
import dev.npc.daemon.loop.RebootRecord.Stage;
import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.report.Metrics;
import dev.npc.daemon.report.Reporter;
import dev.npc.daemon.stage.BootFiles;
import dev.npc.daemon.stage.HealthChecker;
import dev.npc.daemon.stage.Hooks;
import dev.npc.daemon.stage.Rollback;
import dev.npc.daemon.stage.RunningSystem;
import dev.npc.daemon.stage.StageFailure;
import dev.npc.digest.Sha256;
import dev.npc.host.Action;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.Phase;
import dev.npc.host.RebootPolicy;
import dev.npc.host.Result;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Reboots when a switch changed what only a boot brings in, as system.autoUpgrade's allowReboot
 * does, with what it lacks: a window, a health check of the booted system, a rollback, and a
 * bound. After a healthy {@code switch} whose kernel, initrd, kernel modules or kernel parameters
 * differ from the booted system's ({@link BootFiles}), the host reports "reboot required"
 * (state.json's {@code reboot}). With reboot = allowed the daemon reboots when the host runs its
 * desired version and the maintenance window is open; the daemon that starts after the boot checks
 * the booted system's health, and when it fails (or the boot loader started another system) puts
 * the previous boot entry back and reboots into it, reported as rolled back.
 *
 * <p>reboot.json ({@link RebootRecord}) is written before every reboot: a host is rebooted into a
 * system at most once and back from it at most once, whatever happens in between (a reboot that
 * does not come, a daemon killed in the middle, power loss); {@code npc-daemon retry} allows one
 * more. Every reboot goes through the {@link Rebooter} seam.
 */
public final class RebootFlow {
    /** How long the daemon waits to be stopped after systemd accepted the reboot. */
    static final Duration GRACE = Duration.ofMinutes(10);
    /** One reboot into a system and one back out of it. */
    static final int MAX_REBOOTS = 2;
    private static final Duration SLICE = Duration.ofSeconds(1);

    private final Rebooter rebooter;
    private final SystemCommands system;
    private final Path file;
    private final Reporter reporter;
    private final HealthChecker health;
    private final Rollback rollback;
    private final RetryLedger ledger;
    private final Hooks hooks;
    private final Metrics metrics;
    private final StopSignal stop;
    private final Sleeper sleeper;
    private final Clock clock;
    private final EventLog log;

    public RebootFlow(Rebooter rebooter, SystemCommands system, Path file, Reporter reporter, HealthChecker health,
                      Rollback rollback, RetryLedger ledger, Hooks hooks, Metrics metrics, StopSignal stop,
                      Sleeper sleeper, Clock clock, EventLog log) {
        this.rebooter = rebooter;
        this.system = system;
        this.file = file;
        this.reporter = reporter;
        this.health = health;
        this.rollback = rollback;
        this.ledger = ledger;
        this.hooks = hooks;
        this.metrics = metrics;
        this.stop = stop;
        this.sleeper = sleeper;
        this.clock = clock;
        this.log = log;
    }

    /**
     * After a healthy switch to {@code flight}'s system: whether it needs a reboot, recorded in
     * reboot.json (keeping how often npc rebooted for that very system before).
     *
     * @param before what ran before the switch, as state.json said
     * @return state.json's {@code reboot}, or null when the booted system already boots the same
     */
    public HostState.Reboot afterSwitch(InFlight flight, Attempt attempt, Current before) {
        String toplevel = flight.toplevel();
        List<String> changed = BootFiles.changed(system.bootedSystem(), Path.of(toplevel));
        RebootRecord old = RebootRecord.read(file);
        try {
            if (changed.isEmpty()) {
                Files.deleteIfExists(file);
                return null;
            }
            boolean again = old != null && RunningSystem.same(old.system(), toplevel);
            String booted = RunningSystem.resolve(system.bootedSystem());
            RebootRecord record = new RebootRecord(Stage.PENDING, toplevel, booted, changed, clock.instant(),
                    again ? old.reboots() : 0, null, null, flight.target(), attempt, flight.previous(), before,
                    flight.failedBefore(), again ? old.failure() : null);
            HostState.Reboot need = new HostState.Reboot(changed, toplevel, booted, record.since(), null, null);
            log.info(flight.target().label() + " runs; reboot required: " + need.reason() + " from the booted system "
                    + booted);
            try {
                record.save(file);
            } catch (IOException e) {
                log.warn("cannot write " + file + ": " + e.getMessage());
                return need.scheduled(null, "cannot record it in " + file + " (" + e.getMessage()
                        + "), so npc does not reboot for it: reboot the host");
            }
            return need;
        } catch (IOException e) {
            log.warn("cannot remove " + file + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The host runs its desired version: reboot it when a reboot is needed, allowed, not done for
     * this system before and the window is open; otherwise say in state.json when it will be, or
     * why not.
     *
     * @param lock the activation lock, taken for the reboot (not held by the caller)
     * @return true when the host is going down
     */
    public boolean decide(RebootPolicy policy, WindowGate gate, OsFileLock lock) throws IOException,
            InterruptedException {
        HostState.Reboot need = reporter.state().reboot();
        RebootRecord record = RebootRecord.read(file);
        if (record == null || record.stage() != Stage.PENDING || !bootsAndRuns(record.system())) {
            if (record != null && record.stage() == Stage.PENDING) {
                Files.deleteIfExists(file); // for a system that no longer runs (rolled back, switched by hand)
            }
            if (need != null) {
                reporter.update(s -> s.withReboot(null));
            }
            return false;
        }
        HostState.Reboot base = need != null ? need
                : new HostState.Reboot(record.changed(), record.system(), record.booted(), record.since(), null, null);
        String note = null;
        Instant next = null;
        if (policy == RebootPolicy.NEVER) {
            note = "reboot = never: reboot the host to run them (npc reboots only with reboot = allowed)";
        } else if (record.reboots() > 0) {
            note = "npc asked to reboot into this system before" + (record.failure() == null ? ""
                    : " (" + record.failure() + ")") + " and does not again: reboot the host, or run npc-daemon retry";
        } else if (!gate.isOpen()) {
            next = gate.next();
        }
        if (note != null || next != null) {
            HostState.Reboot waiting = base.scheduled(next, note);
            reporter.update(s -> s.withReboot(waiting));
            return false;
        }
        try (OsFileLock.Held held = lock.tryAcquire()) {
            if (held == null) {
                log.info("another npc-daemon is activating on this host; the reboot waits for the next poll");
                return false;
            }
            reporter.update(s -> s.withReboot(base.scheduled(null, null)));
            return reboot(record, Stage.REBOOTING, Stage.PENDING, "rebooting into " + record.system() + ": "
                    + base.reason() + (gate.window() == null ? "" : gate.override() ? " (trigger --now)"
                    : " (maintenance window " + gate.window() + ")"));
        }
    }

    /** {@code npc-daemon retry}: one more reboot (and rollback) for a system npc rebooted for before. */
    public void allowAgain() throws IOException {
        RebootRecord record = RebootRecord.read(file);
        if (record != null && record.stage() == Stage.PENDING && record.reboots() > 0) {
            new RebootRecord(Stage.PENDING, record.system(), record.booted(), record.changed(), record.since(), 0, null,
                    null, record.target(), record.attempt(), record.previous(), record.before(), record.failedBefore(),
                    null).save(file);
        } else if (record != null && record.stage() == Stage.FAILED) {
            Files.delete(file); // the version is tried again: a switch to it records its need afresh
        }
    }

    /**
     * At start, under the activation lock: finish what a reboot asked for before this start left.
     * A reboot into a system is judged by the booted system's health (rolled back when it fails);
     * a reboot back out of it is reported as the rollback; a reboot that did not happen is
     * reported and not asked for again.
     *
     * @return true when the host is going down again (a rollback's reboot)
     */
    public boolean resume() throws IOException, InterruptedException {
        RebootRecord record = RebootRecord.read(file);
        if (record == null) {
            if (reporter.state().phase() == Phase.REBOOTING) {
                reporter.update(s -> s.withPhase(Phase.IDLE).withMessage(null));
            }
            forgetIfBooted(null);
            return false;
        }
        String id = bootId();
        boolean rebooted = id != null && record.bootId() != null && !id.equals(record.bootId());
        switch (record.stage()) {
            case REBOOTING -> {
                if (!rebooted) {
                    String why = "the reboot asked for at " + record.requestedAt() + " did not happen";
                    record.withStage(Stage.PENDING).withFailure(why).save(file);
                    log.warn(why + "; npc does not ask again for " + record.system());
                    reporter.update(s -> s.withPhase(Phase.IDLE).withMessage(why));
                    return false;
                }
                return checkBooted(record);
            }
            case ROLLING_BACK -> {
                return rollBack(record);
            }
            case RETURNING -> {
                if (!rebooted) {
                    return ended(record, Result.FAILED, record.failure() + "; the previous boot entry is back, but"
                            + " the reboot into it did not happen: reboot the host", null);
                }
                return returned(record);
            }
            default -> {
                forgetIfBooted(record);
                return false;
            }
        }
    }

    /** After the reboot into the record's system: check it, or undo it when another one booted. */
    private boolean checkBooted(RebootRecord record) throws IOException, InterruptedException {
        String booted = RunningSystem.resolve(system.bootedSystem());
        String label = record.target().label();
        if (!RunningSystem.same(booted, record.system())) {
            // The boot loader started another system: the entry was not written, or it fell back.
            return rollBack(record.withFailure("rebooted to run " + label + ", but the host booted " + booted
                    + ", not " + record.system()));
        }
        log.info("rebooted into " + label + "; checking the booted system");
        reporter.update(s -> s.withPhase(Phase.CHECKING).withMessage(null));
        try {
            health.check(record.failedBefore());
        } catch (StageFailure failure) {
            return rollBack(record.withFailure(label + " failed its checks after the reboot: " + failure.getMessage()));
        }
        Files.deleteIfExists(file);
        log.info("rebooted into " + label + ": the booted system passed its checks");
        reporter.update(s -> s.withPhase(Phase.IDLE).withReboot(null).withMessage(null));
        return false;
    }

    /**
     * Puts the boot entry (and the system profile) back to the generation before the switch, then
     * reboots into it, unless that system already runs (the boot loader fell back by itself).
     */
    private boolean rollBack(RebootRecord failing) throws IOException, InterruptedException {
        RebootRecord record = failing.withStage(Stage.ROLLING_BACK);
        record.save(file);
        log.warn(record.failure() + "; rolling back");
        reporter.update(s -> s.withPhase(Phase.ROLLING_BACK).withMessage(record.failure()));
        if (record.previous() == null || record.previous().profile() == null) {
            return ended(record, Result.FAILED, record.failure() + "; the boot entry before the switch is unknown,"
                    + " so nothing was rolled back", null);
        }
        try {
            rollback.restore(record.previous(), Action.BOOT);
        } catch (StageFailure e) {
            return ended(record, Result.FAILED, record.failure() + "; putting the previous boot entry back failed"
                    + " too: " + e.getMessage(), e.logTail());
        }
        String profile = record.previous().profile();
        if (RunningSystem.same(RunningSystem.resolve(system.bootedSystem()), profile)) {
            return returned(record);
        }
        if (record.reboots() >= MAX_REBOOTS) {
            return ended(record, Result.FAILED, record.failure() + "; the boot entry is back to " + profile
                    + ", but npc rebooted for this system " + record.reboots() + " times already: reboot the host", null);
        }
        return reboot(record, Stage.RETURNING, Stage.FAILED, "rebooting back into " + profile + ": " + record.failure());
    }

    /** After the reboot back (or a fall-back by the boot loader): the rollback, as the attempt's result. */
    private boolean returned(RebootRecord record) throws IOException {
        String booted = RunningSystem.resolve(system.bootedSystem());
        boolean back = record.previous() != null && RunningSystem.same(booted, record.previous().profile());
        return ended(record, back ? Result.ROLLED_BACK : Result.FAILED, record.failure() + (back
                ? "; rolled back: the previous boot entry is back and the host runs " + booted
                : "; the previous boot entry is back, but the host booted " + booted), null);
    }

    /**
     * Ends the reboot flow with {@code result} for the switch's attempt: the version is refused
     * until the remote or desired.json changes (npc-daemon retry tries it again), and npc never
     * reboots for this system again; one report, one history record, the on-failure hook.
     */
    private boolean ended(RebootRecord record, Result result, String error, String logTail) throws IOException {
        Instant now = clock.instant();
        Attempt switched = record.attempt();
        Attempt attempt = Attempt.ended(switched == null ? record.target().sha256() : switched.sha256(), result,
                switched == null ? 1 : switched.attempt(), switched == null ? null : switched.startedAt(), now)
                .withSystem(record.system()).withError(error, logTail);
        ledger.refused(record.target(), now);
        record.withStage(Stage.FAILED).withFailure(error).save(file);
        String running = RunningSystem.resolve(system.currentSystem());
        Current current = record.before() != null && RunningSystem.same(record.before().system(), running)
                ? record.before() : Current.unvouched(running);
        HostState next = reporter.update(s -> s.withPhase(Phase.IDLE).withLastAttempt(attempt).withCurrent(current)
                .withReboot(null).withMessage(null));
        reporter.history(next);
        metrics.attemptFinished(attempt);
        log.warn(record.target().label() + ": " + result + ": " + error);
        try {
            hooks.onFailure(record.target().remote(), record.target().sha256(), result.toString(), error);
        } catch (StageFailure e) {
            log.warn("on-failure hook: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Asks for a reboot: counted and recorded on disk first, reported as phase rebooting, then the
     * command through the seam; then waits to be stopped by the shutdown. A reboot that cannot be
     * asked for, or does not come, is reported and the record goes to {@code otherwise}.
     *
     * @return true when the host is going down
     */
    private boolean reboot(RebootRecord record, Stage stage, Stage otherwise, String why)
            throws IOException, InterruptedException {
        String id = bootId();
        RebootRecord asked = record.requested(stage, id, clock.instant());
        asked.save(file);
        log.info(why);
        reporter.update(s -> s.withPhase(Phase.REBOOTING).withMessage(why));
        List<String> command = List.of(system.systemctl(), "reboot", "--message=npc-daemon: " + shortReason(record,
                stage));
        String failed = null;
        try {
            if (id == null) {
                throw new IOException("cannot read this boot's id from " + Rebooter.BOOT_ID
                        + ", so the boot after a reboot could not be told from this one");
            }
            rebooter.reboot(command);
            Duration waited = Duration.ZERO;
            while (!stop.requested() && waited.compareTo(GRACE) < 0) {
                sleeper.sleep(SLICE);
                waited = waited.plus(SLICE);
            }
            if (stop.requested()) {
                return true;
            }
            failed = "systemd accepted the reboot " + Durations.format(GRACE) + " ago, but the host is still up";
        } catch (IOException e) {
            failed = "cannot reboot: " + e.getMessage();
        }
        log.warn(failed);
        if (otherwise == Stage.FAILED) {
            return ended(asked, Result.FAILED, asked.failure() + "; " + failed + ": reboot the host", null);
        }
        asked.withStage(otherwise).withFailure(failed).save(file);
        String message = failed;
        reporter.update(s -> s.withPhase(Phase.IDLE).withMessage(message));
        return false;
    }

    /** The few words systemd logs with the shutdown ({@code systemctl reboot --message}). */
    private static String shortReason(RebootRecord record, Stage stage) {
        String label = Sha256.shortForm(record.target().sha256()) + " (" + record.target().remote() + "/"
                + record.target().configuration() + ")";
        return stage == Stage.RETURNING ? "rolling back " + label + ", which failed after a reboot"
                : "reboot into " + label + ", " + String.join(", ", record.changed()) + " changed";
    }

    /** Someone else rebooted into the system that needed it: nothing is required any more. */
    private void forgetIfBooted(RebootRecord record) throws IOException {
        HostState.Reboot need = reporter.state().reboot();
        String needed = record != null ? record.system() : need != null ? need.system() : null;
        if (needed == null || !BootFiles.changed(system.bootedSystem(), Path.of(needed)).isEmpty()) {
            return;
        }
        if (record != null && record.stage() == Stage.PENDING) {
            Files.deleteIfExists(file);
        }
        if (need != null) {
            log.info("the booted system runs what " + needed + " boots: no reboot required any more");
            reporter.update(s -> s.withReboot(null));
        }
    }

    /** Whether {@code toplevel} runs and is what the next boot starts: only then does a reboot bring it in. */
    private boolean bootsAndRuns(String toplevel) {
        return RunningSystem.same(toplevel, RunningSystem.resolve(system.currentSystem()))
                && RunningSystem.same(toplevel, RunningSystem.resolve(system.systemProfile()));
    }

    private String bootId() {
        try {
            return rebooter.bootId();
        } catch (IOException e) {
            log.warn("cannot read this boot's id: " + e.getMessage());
            return null;
        }
    }
}
