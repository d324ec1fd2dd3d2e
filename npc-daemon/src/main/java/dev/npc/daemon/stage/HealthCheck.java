package dev.npc.daemon.stage;

import dev.npc.daemon.config.HostPort;
import dev.npc.daemon.config.Settings;
import dev.npc.process.ShellCommand;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One thing that must hold after a switch, besides systemd's own verdict, which
 * {@link HealthChecker} asks first. {@link HealthChecker} runs every check in each round, until
 * all pass or the health timeout is over; a check that fails says what in one line.
 *
 * <p>A new kind: a record here, a setting for it in {@link Settings}, and a line in {@link #from}.
 */
public sealed interface HealthCheck {
    /** How long one attempt to connect may take, so a round ends while the deadline is still ahead. */
    Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param timeLeft the time left before the health timeout, at least a second
     * @throws StageFailure naming the check and what failed
     */
    void check(Duration timeLeft) throws StageFailure, InterruptedException;

    /** The checks the settings ask for, in the order they run: commands, URLs, TCP ports. */
    static List<HealthCheck> from(Settings settings, Commands commands) {
        // Only when a URL is to be checked: a client starts a selector thread and loads its classes for the daemon's life.
        HttpClient http = settings.healthUrls().isEmpty() ? null : HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        List<HealthCheck> checks = new ArrayList<>();
        settings.healthCommands().forEach(command -> checks.add(new Command(commands, command)));
        settings.healthUrls().forEach(url -> checks.add(new Url(http, url)));
        settings.healthTcp().forEach(address -> checks.add(new Tcp(address)));
        return List.copyOf(checks);
    }

    /** A command line that must exit 0 ({@code --health-command}), run as {@link ShellCommand} runs it. */
    record Command(Commands commands, String command) implements HealthCheck {
        @Override
        public void check(Duration timeLeft) throws StageFailure, InterruptedException {
            commands.run("health command '" + command + "'", ShellCommand.argv(command), Map.of(), timeLeft);
        }
    }

    /** A URL that must answer 2xx ({@code --health-url}). */
    record Url(HttpClient http, URI url) implements HealthCheck {
        @Override
        public void check(Duration timeLeft) throws StageFailure, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(timeLeft).GET().build();
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 != 2) {
                    throw new StageFailure("health URL " + url + " answered " + response.statusCode());
                }
            } catch (IOException e) {
                throw new StageFailure("health URL " + url + " cannot be reached: " + e.getMessage());
            }
        }
    }

    /** A TCP port that must accept a connection ({@code --health-tcp}); the connection is closed at once. */
    record Tcp(HostPort address) implements HealthCheck {
        @Override
        public void check(Duration timeLeft) throws StageFailure {
            Duration limit = timeLeft.compareTo(CONNECT_TIMEOUT) < 0 ? timeLeft : CONNECT_TIMEOUT;
            InetSocketAddress target = new InetSocketAddress(address.host(), address.port());
            if (target.isUnresolved()) {
                throw new StageFailure("health TCP port " + address + ": the host name does not resolve");
            }
            try (Socket socket = new Socket()) {
                socket.connect(target, (int) limit.toMillis());
            } catch (IOException e) {
                throw new StageFailure("health TCP port " + address + " accepts no connection: " + e.getMessage());
            }
        }
    }
}
