package dev.npc.daemon.stage;

import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.time.Durations;
import dev.npc.time.Sleeper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Step 5, check: the system reached "running" (not "degraded"), every configured command exits 0
 * and every configured URL answers 2xx. A round that fails is tried again until the deadline, so
 * services that need a few seconds to come up are not rolled back for it.
 */
public final class HealthChecker {
    private static final Duration MIN_STEP = Duration.ofSeconds(1);

    private final Commands commands;
    private final String systemctl;
    private final List<String> checkCommands;
    private final List<URI> urls;
    private final Duration timeout;
    private final Duration pause;
    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpClient http;

    public HealthChecker(Commands commands, String systemctl, List<String> checkCommands, List<URI> urls,
                         Duration timeout, Duration pause, Clock clock, Sleeper sleeper) {
        this.commands = commands;
        this.systemctl = systemctl;
        this.checkCommands = List.copyOf(checkCommands);
        this.urls = List.copyOf(urls);
        this.timeout = timeout;
        this.pause = pause;
        this.clock = clock;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public void check() throws StageFailure, InterruptedException {
        Instant deadline = clock.instant().plus(timeout);
        int round = 1;
        while (true) {
            StageFailure problem = firstProblem(deadline);
            if (problem == null) {
                return;
            }
            if (!clock.instant().plus(pause).isBefore(deadline)) {
                throw new StageFailure("health check failed after " + round + (round == 1 ? " try" : " tries")
                        + " within " + Durations.format(timeout) + ": " + problem.getMessage(), problem.logTail());
            }
            sleeper.sleep(pause);
            round++;
        }
    }

    private StageFailure firstProblem(Instant deadline) throws InterruptedException {
        try {
            checkSystem(deadline);
            for (String command : checkCommands) {
                checkCommand(command, deadline);
            }
            for (URI url : urls) {
                checkUrl(url, deadline);
            }
            return null;
        } catch (StageFailure failure) {
            return failure;
        }
    }

    private void checkSystem(Instant deadline) throws StageFailure, InterruptedException {
        ProcessResult result = commands.runAllowingFailure("systemctl is-system-running",
                List.of(systemctl, "is-system-running", "--wait"), Map.of(), remaining(deadline));
        String answer = result.output().strip();
        String last = answer.isEmpty() ? "" : answer.substring(answer.lastIndexOf('\n') + 1).strip();
        if (!"running".equals(last)) {
            throw new StageFailure("the system is " + (last.isEmpty() ? "in an unknown state" : "'" + last + "'")
                    + (result.timedOut() ? " (systemctl is-system-running timed out)" : "")
                    + "; see systemctl --failed", result.tail(Commands.TAIL_LINES));
        }
    }

    private void checkCommand(String command, Instant deadline) throws StageFailure, InterruptedException {
        commands.run("health command '" + command + "'", List.of("/bin/sh", "-c", command), Map.of(),
                remaining(deadline));
    }

    private void checkUrl(URI url, Instant deadline) throws StageFailure, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(remaining(deadline)).GET().build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new StageFailure("health URL " + url + " answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new StageFailure("health URL " + url + " cannot be reached: " + e.getMessage());
        }
    }

    private Duration remaining(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.compareTo(MIN_STEP) < 0 ? MIN_STEP : left;
    }
}
