package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import dev.npc.host.Action;
import dev.npc.host.HostName;
import dev.npc.time.Durations;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.RemoteVerifier;
import dev.npc.trust.TrustedKey;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's settings, resolved: defaults filled in, every value checked, so the loop never
 * meets a bad setting halfway through an activation.
 */
public record Settings(StateDir stateDir, String store, String endpointUrl, String region, String host,
                       String configuration, Duration interval, double jitter, String action,
                       List<String> healthCommands, List<URI> healthUrls, Duration healthTimeout,
                       Duration healthRetryPause, Hooks hooks, List<String> extraSubstituters,
                       Duration buildTimeout, Duration switchTimeout, int retries, Duration retryBackoff,
                       Path metricsFile, SystemCommands system, Path selfPath, RemoteVerifier verifier,
                       List<String> substituterKeys, int keepGenerations, boolean healthStrict,
                       List<String> allowedRemotes) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    public static final double DEFAULT_JITTER = 0.2;
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_BUILD_TIMEOUT = Duration.ofHours(2);
    public static final Duration DEFAULT_SWITCH_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMinutes(1);
    public static final int DEFAULT_RETRIES = 2;
    /** What nixos-rebuild users typically keep (systemd-boot's configurationLimit examples use 10). */
    public static final int DEFAULT_KEEP_GENERATIONS = 10;

    /** Shell commands run around an activation; null when not configured. */
    public record Hooks(String preActivate, String postActivate, String onFailure) { }

    /**
     * @param hostnameFallback the machine's host name, used when no host is configured
     * @throws IllegalArgumentException one line naming the setting and the fix
     */
    public static Settings resolve(StateDir stateDir, DaemonConfig c, String hostnameFallback) {
        if (c.store() == null || c.store().isBlank()) {
            throw new IllegalArgumentException("no store configured; give --store s3://bucket/prefix (or set NPC_STORE,"
                    + " or run npc-daemon install --store URL --host NAME)");
        }
        RemoteVerifier verifier = verifier(c.trustedKeys());
        List<String> allowedRemotes = new ArrayList<>();
        for (String remote : c.allowedRemotes() == null ? List.<String>of() : c.allowedRemotes()) {
            try {
                allowedRemotes.add(dev.npc.remote.RemoteName.check(remote));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--allowed-remote: " + e.getMessage());
            }
        }
        String host = c.host() != null ? c.host() : hostnameFallback;
        HostName.check(host);
        String action = c.action() == null ? Action.SWITCH : c.action();
        if (!Action.isValid(action)) {
            throw new IllegalArgumentException("--action '" + action + "' is not one of switch, boot, test");
        }
        int retries = c.retries() == null ? DEFAULT_RETRIES : c.retries();
        if (retries < 0) {
            throw new IllegalArgumentException("--retries must be 0 or more, not " + retries);
        }
        List<URI> urls = new ArrayList<>();
        for (String url : c.healthUrls() == null ? List.<String>of() : c.healthUrls()) {
            urls.add(httpUrl(url));
        }
        Duration interval = duration("--interval", c.interval(), DEFAULT_INTERVAL);
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("--interval must be positive, e.g. 60s");
        }
        int keep = c.keepGenerations() == null ? DEFAULT_KEEP_GENERATIONS : c.keepGenerations();
        if (keep < 1) {
            throw new IllegalArgumentException("--keep-generations must be 1 or more (the running system is always"
                    + " kept), not " + keep);
        }
        return new Settings(stateDir, c.store(), c.endpointUrl(), c.region(), host, c.configuration(),
                interval, DEFAULT_JITTER, action,
                List.copyOf(c.healthCommands() == null ? List.of() : c.healthCommands()), List.copyOf(urls),
                duration("--health-timeout", c.healthTimeout(), DEFAULT_HEALTH_TIMEOUT), Duration.ofSeconds(2),
                new Hooks(c.preActivate(), c.postActivate(), c.onFailure()),
                List.copyOf(c.extraSubstituters() == null ? List.of() : c.extraSubstituters()),
                duration("--build-timeout", c.buildTimeout(), DEFAULT_BUILD_TIMEOUT),
                duration("--switch-timeout", c.switchTimeout(), DEFAULT_SWITCH_TIMEOUT),
                retries, duration("--retry-backoff", c.retryBackoff(), DEFAULT_RETRY_BACKOFF),
                c.metricsFile() == null ? null : Path.of(c.metricsFile()),
                SystemCommands.of(c.nixBin(), c.systemctl(), c.currentSystem(), c.systemProfile(), c.bootedSystem()),
                c.selfPath() == null ? null : Path.of(c.selfPath()), verifier,
                List.copyOf(c.substituterKeys() == null ? List.of() : c.substituterKeys()), keep,
                Boolean.TRUE.equals(c.healthStrict()), List.copyOf(allowedRemotes));
    }

    public Settings withJitter(double jitter) {
        return new Settings(stateDir, store, endpointUrl, region, host, configuration, interval, jitter, action,
                healthCommands, healthUrls, healthTimeout, healthRetryPause, hooks, extraSubstituters, buildTimeout,
                switchTimeout, retries, retryBackoff, metricsFile, system, selfPath, verifier, substituterKeys,
                keepGenerations, healthStrict, allowedRemotes);
    }

    /** The keys of {@code --trusted-key} (files or npc-ed25519-public:... lines), read once at start. */
    private static RemoteVerifier verifier(List<String> trustedKeys) {
        List<TrustedKey> keys = new ArrayList<>();
        for (String key : trustedKeys == null ? List.<String>of() : trustedKeys) {
            try {
                keys.add(KeyFiles.readTrustedKey(key));
            } catch (IllegalArgumentException | java.io.IOException e) {
                throw new IllegalArgumentException("--trusted-key: " + e.getMessage());
            }
        }
        return new RemoteVerifier(keys);
    }

    private static Duration duration(String flag, String text, Duration fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static URI httpUrl(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("--health-url '" + text + "' is not an http(s) URL; write e.g. http://127.0.0.1/healthz");
    }
}
