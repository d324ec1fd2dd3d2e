package dev.npc.daemon.loop;

import dev.npc.daemon.report.EventLog;
import dev.npc.daemon.report.Reporter;
import dev.npc.daemon.stage.HealthChecker;
import dev.npc.daemon.stage.Rollback;
import dev.npc.daemon.stage.RunningSystem;
import dev.npc.daemon.stage.StageFailure;
import dev.npc.host.Action;
import dev.npc.host.HostState;
import dev.npc.host.HostState.Attempt;
import dev.npc.host.HostState.Current;
import dev.npc.host.Phase;
import dev.npc.host.Result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * At start: a daemon killed mid-step (kill -9, power loss) left its phase in state.json. Report
 * the attempt as {@code interrupted} ({@code failed} when it died of a throwable it recorded, such
 * as an OutOfMemoryError, naming it and the phase), say which system really runs (the
 * current-system link, not what was planned), count it against the version's retries, and carry
 * on from idle. Also run after an attempt ended by an unexpected exception in a daemon that
 * lives on, so that attempt is charged too. A rollback
 * it was killed in is finished, and a new system it was killed before checking is checked now and
 * rolled back if unhealthy, so the host never stays on a system nobody vouched for. First of all,
 * a reboot the daemon asked for before this start is followed up ({@link RebootFlow#resume}): the
 * booted system is checked, and rolled back when unhealthy.
 */
public final class Recovery {
    private final Reporter reporter;
    private final RetryLedger ledger;
    private final Path inFlightFile;
    private final Path currentSystem;
    private final Clock clock;
    private final EventLog log;
    private final Rollback rollback;
    private final HealthChecker health;
    private final RebootFlow reboots;

    /**
     * @param rollback finishes a rollback the daemon was killed in
     * @param health   checks a new system the daemon was killed before vouching for (rolled back when
     *                 unhealthy)
     * @param reboots  follows up a reboot asked for before this start, or null
     */
    public Recovery(Reporter reporter, RetryLedger ledger, Path inFlightFile, Path currentSystem, Clock clock,
                    EventLog log, Rollback rollback, HealthChecker health, RebootFlow reboots) {
        this.reboots = reboots;
        this.rollback = rollback;
        this.health = health;
        this.reporter = reporter;
        this.ledger = ledger;
        this.inFlightFile = inFlightFile;
        this.currentSystem = currentSystem;
        this.clock = clock;
        this.log = log;
    }

    /** @return whether an interrupted attempt was found and reported */
    public boolean recover() throws IOException {
        if (reboots != null && afterReboot()) {
            return false; // going down again: the daemon after that boot follows up
        }
        HostState state = reporter.state();
        InFlight flight = InFlight.read(inFlightFile);
        if (state.isIdle()) {
            Files.deleteIfExists(inFlightFile);
            return false;
        }
        String running = RunningSystem.resolve(currentSystem);
        Current current = state.current();
        InFlight.Crash crash = flight == null ? null : flight.crash();
        // Killed from outside (kill -9, power loss): "stopped". Ended by a throwable it could write
        // down (OutOfMemoryError, a bug): "died", and the attempt failed rather than was interrupted.
        String error = (crash == null ? "npc-daemon stopped during " + state.phase()
                : "npc-daemon died during " + (crash.phase() == null ? state.phase() : crash.phase())
                + " (" + crash.cause() + ")") + "; the running system is " + (running == null ? "unknown" : running);
        String finished = finishRollback(state, flight, running);
        if (finished != null) {
            error += finished;
            running = RunningSystem.resolve(currentSystem);
            if (current != null && !RunningSystem.same(current.system(), running)) {
                current = Current.unvouched(running);
            }
        } else if (flight != null && flight.toplevel() != null && RunningSystem.same(flight.toplevel(), running)) {
            // The new system was activated but never passed its checks.
            error += " (the new system, not yet checked)";
            current = Current.unvouched(running);
            String checked = checkUnvouched(flight);
            if (checked != null) {
                error += checked;
                String now = RunningSystem.resolve(currentSystem);
                if (!RunningSystem.same(now, running)) {
                    current = state.current() != null && RunningSystem.same(state.current().system(), now)
                            ? state.current() : Current.unvouched(now);
                }
            }
        } else if (current != null && !RunningSystem.same(current.system(), running)) {
            current = Current.unvouched(running);
        }
        Result result = crash == null ? Result.INTERRUPTED : Result.FAILED;
        // Without a readable attempt.json, the attempt is taken to be at the version state.json last desired.
        Attempt ended = flight != null ? flight.ended(result, clock.instant())
                : Attempt.ended(state.desired() != null ? state.desired().sha256() : null, result, 1, null, clock.instant());
        Attempt attempt = ended.withError(error, null);
        if (flight != null) {
            ledger.failed(flight.target(), clock.instant());
        }
        log.warn(error + (crash == null ? "; reported as interrupted" : "; reported as failed")
                + (flight == null ? "" : " and counted against " + flight.target().label()));
        Current recovered = current;
        HostState next = reporter.update(s -> s.withPhase(Phase.IDLE).withLastAttempt(attempt).withCurrent(recovered)
                .withMessage(null));
        reporter.history(next);
        Files.deleteIfExists(inFlightFile);
        return true;
    }

    /** @return true when the host is going down again (a rollback's reboot) */
    private boolean afterReboot() throws IOException {
        try {
            return reboots.resume();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /**
     * Checks the new system now rather than at the next attempt: if it is unhealthy, the next
     * attempt would take it for the system to return to, and the good one would be forgotten.
     *
     * @return what the check did, for the report, or null when it could not run
     */
    private String checkUnvouched(InFlight flight) {
        if (flight.previous() == null || Action.BOOT.equals(flight.target().action())) {
            return null;
        }
        try {
            health.check(flight.failedBefore());
            return "; it passed its checks";
        } catch (StageFailure failure) {
            try {
                rollback.restore(flight.previous(), flight.target().action());
                return "; it failed its checks (" + failure.getMessage() + "), rolled back: now running "
                        + RunningSystem.resolve(currentSystem);
            } catch (StageFailure rollbackFailure) {
                return "; it failed its checks (" + failure.getMessage() + ") and the rollback failed too: "
                        + rollbackFailure.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "; it failed its checks and the rollback was interrupted";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A rollback is a decision already taken: the new system failed. Leaving it half done would
     * leave the host on that system, and the next attempt would take it for the one to return to.
     *
     * @return what finishing it did, for the report, or null when there was no rollback to finish
     */
    private String finishRollback(HostState state, InFlight flight, String running) {
        if (state.phase() != Phase.ROLLING_BACK || flight == null
                || flight.previous() == null || !Action.BOOT.equals(flight.target().action())
                && RunningSystem.same(flight.previous().running(), running)) {
            return null;
        }
        try {
            rollback.restore(flight.previous(), flight.target().action());
            return "; finished the rollback: now running " + RunningSystem.resolve(currentSystem);
        } catch (StageFailure e) {
            return "; finishing the rollback failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "; finishing the rollback was interrupted";
        }
    }

}
