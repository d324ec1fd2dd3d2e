package dev.npc.daemon.stage;

import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Step 5, check: the system reached "running" and every configured {@link HealthCheck} passes
 * (commands exit 0, URLs answer 2xx, TCP ports accept a connection). A round that fails is tried
 * again until the deadline, so services that need a few seconds to come up are not rolled back
 * for it.
 *
 * <p>A host that was already "degraded" before the switch (an unrelated unit had failed) is judged
 * by what failed since: the failed units are recorded before the switch ({@link #failedUnits}) and
 * a "degraded" system passes when no other unit failed; the ones that had failed before are
 * reported, not counted. {@code --health-strict} counts every failed unit, as before.
 */
public final class HealthChecker {
    private static final Duration MIN_STEP = Duration.ofSeconds(1);

    private final Commands commands;
    private final String systemctl;
    private final List<HealthCheck> checks;
    private final Duration timeout;
    private final Duration pause;
    private final Clock clock;
    private final Sleeper sleeper;
    private final boolean strict;

    /**
     * @param checks what must hold besides systemd's verdict ({@link HealthCheck#from})
     * @param pause  the wait between two rounds
     * @param strict count units that had failed before the switch against it too
     */
    public HealthChecker(Commands commands, String systemctl, List<HealthCheck> checks, Duration timeout,
                         Duration pause, Clock clock, Sleeper sleeper, boolean strict) {
        this.commands = commands;
        this.systemctl = systemctl;
        this.checks = List.copyOf(checks);
        this.timeout = timeout;
        this.pause = pause;
        this.clock = clock;
        this.sleeper = sleeper;
        this.strict = strict;
    }

    /** The outcome of a passed check: the failed units that were not counted, because they had failed before. */
    public record Passed(List<String> failedBefore) { }

    /** Checks with no record of what had failed before: every failed unit counts. */
    public Passed check() throws StageFailure, InterruptedException {
        return check(null);
    }

    /**
     * @param failedBefore the units that had failed before the switch ({@link #failedUnits}), or
     *                     null when unknown (then every failed unit counts)
     */
    public Passed check(List<String> failedBefore) throws StageFailure, InterruptedException {
        Set<String> baseline = strict || failedBefore == null ? Set.of() : Set.copyOf(failedBefore);
        Instant deadline = clock.instant().plus(timeout);
        int round = 1;
        while (true) {
            List<String> tolerated = new ArrayList<>();
            StageFailure problem = firstProblem(deadline, baseline, tolerated);
            if (problem == null) {
                return new Passed(List.copyOf(tolerated));
            }
            if (!clock.instant().plus(pause).isBefore(deadline)) {
                throw new StageFailure("health check failed after " + round + (round == 1 ? " try" : " tries")
                        + " within " + Durations.format(timeout) + ": " + problem.getMessage(), problem.logTail());
            }
            sleeper.sleep(pause);
            round++;
        }
    }

    /**
     * The units systemd lists as failed now, sorted; empty when they cannot be read (then nothing
     * is excused later, the strict judgement).
     */
    public List<String> failedUnits() throws InterruptedException {
        try {
            ProcessResult result = commands.runAllowingFailure("systemctl list-units --state=failed",
                    List.of(systemctl, "list-units", "--state=failed", "--plain", "--no-legend", "--no-pager"),
                    Map.of(), Duration.ofMinutes(1));
            if (!result.ok()) {
                return List.of();
            }
            TreeSet<String> units = new TreeSet<>();
            for (String line : result.stdout().text().split("\n")) {
                String[] words = line.strip().split("\\s+");
                // "nginx.service loaded failed failed A web server": the first word, when it is a unit name.
                if (words[0].matches("[A-Za-z0-9@%:_.\\\\-]+[.][a-z]+")) {
                    units.add(words[0]);
                }
            }
            return List.copyOf(units);
        } catch (StageFailure e) {
            return List.of();
        }
    }

    private StageFailure firstProblem(Instant deadline, Set<String> baseline, List<String> tolerated)
            throws InterruptedException {
        try {
            checkSystem(deadline, baseline, tolerated);
            for (HealthCheck check : checks) {
                check.check(remaining(deadline));
            }
            return null;
        } catch (StageFailure failure) {
            return failure;
        }
    }

    private void checkSystem(Instant deadline, Set<String> baseline, List<String> tolerated)
            throws StageFailure, InterruptedException {
        ProcessResult result = commands.runAllowingFailure("systemctl is-system-running",
                List.of(systemctl, "is-system-running", "--wait"), Map.of(), remaining(deadline));
        String answer = result.stdout().text().strip();
        String last = answer.isEmpty() ? "" : answer.substring(answer.lastIndexOf('\n') + 1).strip();
        if ("degraded".equals(last) && !result.timedOut()) {
            List<String> failed = failedUnits();
            List<String> since = failed.stream().filter(u -> !baseline.contains(u)).toList();
            List<String> before = failed.stream().filter(baseline::contains).toList();
            if (!failed.isEmpty() && since.isEmpty()) {
                tolerated.addAll(before);
                return;
            }
            if (!since.isEmpty()) {
                throw new StageFailure("the system is 'degraded': " + String.join(", ", since)
                        + " failed" + (baseline.isEmpty() ? "" : " since the switch")
                        + (before.isEmpty() ? "" : " (failed before it too, not counted: " + String.join(", ", before)
                        + ")") + "; see systemctl --failed", result.tail(Commands.TAIL_LINES));
            }
        }
        if (!"running".equals(last)) {
            throw new StageFailure("the system is " + (last.isEmpty() ? "in an unknown state" : "'" + last + "'")
                    + (result.timedOut() ? " (systemctl is-system-running timed out)" : "")
                    + "; see systemctl --failed", result.tail(Commands.TAIL_LINES));
        }
    }

    private Duration remaining(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.compareTo(MIN_STEP) < 0 ? MIN_STEP : left;
    }
}
