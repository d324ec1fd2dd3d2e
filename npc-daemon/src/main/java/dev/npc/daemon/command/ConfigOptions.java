package dev.npc.daemon.command;

import dev.npc.daemon.config.DaemonConfig;
import picocli.CommandLine.Option;

import java.util.List;

/** The settings flags of {@code follow} and {@code install}; each overrides config.json. */
public final class ConfigOptions {
    @Option(names = "--store", paramLabel = "URL", description = "The store: s3://bucket/prefix or file:///dir (env NPC_STORE).")
    String store;
    @Option(names = "--endpoint-url", paramLabel = "URL", description = "S3-compatible endpoint (MinIO, S3Proxy); default AWS.")
    String endpointUrl;
    @Option(names = "--region", paramLabel = "REGION", description = "AWS region of the bucket; default: the SDK's region chain.")
    String region;
    @Option(names = "--host", paramLabel = "NAME", description = "This host's name in the store; default: the machine's host name.")
    String host;
    @Option(names = "--configuration", paramLabel = "NAME",
            description = "nixosConfigurations attribute to build when desired.json names none; default: the host name.")
    String configuration;
    @Option(names = "--interval", paramLabel = "DURATION", description = "Time between polls, with +-20%% jitter (e.g. 60s, 5m); default 60s.")
    String interval;
    @Option(names = "--action", paramLabel = "ACTION", description = "switch, boot or test, when desired.json names no action; default switch.")
    String action;
    @Option(names = "--health-command", paramLabel = "CMD", description = "Shell command that must exit 0 after a switch (repeatable).")
    List<String> healthCommands;
    @Option(names = "--health-url", paramLabel = "URL", description = "URL that must answer 2xx after a switch (repeatable).")
    List<String> healthUrls;
    @Option(names = "--health-timeout", paramLabel = "DURATION", description = "How long health checks may take to pass; default 120s.")
    String healthTimeout;
    @Option(names = "--pre-activate", paramLabel = "CMD", description = "Shell command before switch-to-configuration; failing skips the activation.")
    String preActivate;
    @Option(names = "--post-activate", paramLabel = "CMD", description = "Shell command after a healthy activation.")
    String postActivate;
    @Option(names = "--on-failure", paramLabel = "CMD", description = "Shell command when an attempt fails or is rolled back.")
    String onFailure;
    @Option(names = "--extra-substituter", paramLabel = "URL", description = "Binary cache for builds and pre-built systems (repeatable).")
    List<String> extraSubstituters;
    @Option(names = "--build-timeout", paramLabel = "DURATION", description = "Limit for nix build / nix-store --realise; default 2h.")
    String buildTimeout;
    @Option(names = "--switch-timeout", paramLabel = "DURATION", description = "Limit for switch-to-configuration; default 15m.")
    String switchTimeout;
    @Option(names = "--retries", paramLabel = "N", description = "How often a failed version is tried again (with backoff); default 2.")
    Integer retries;
    @Option(names = "--retry-backoff", paramLabel = "DURATION", description = "Wait before the first retry, doubling after each; default 1m.")
    String retryBackoff;
    @Option(names = "--metrics-file", paramLabel = "FILE", description = "Prometheus text file for node_exporter's textfile collector.")
    String metricsFile;
    @Option(names = "--nix-bin", paramLabel = "DIR", description = "Directory with nix, nix-env, nix-store (env NPC_NIX_BIN); default PATH.")
    String nixBin;
    @Option(names = "--systemctl", paramLabel = "PATH", description = "systemctl to use (env NPC_SYSTEMCTL_BIN); default PATH.")
    String systemctl;
    @Option(names = "--current-system", paramLabel = "PATH", description = "The running system link; default /run/current-system.")
    String currentSystem;
    @Option(names = "--system-profile", paramLabel = "PATH", description = "The system profile; default /nix/var/nix/profiles/system.")
    String systemProfile;
    @Option(names = "--self-path", paramLabel = "PATH",
            description = "This daemon's launcher (env NPC_SELF_PATH); when a switch brings another, the daemon exits for systemd to restart it.")
    String selfPath;
    @Option(names = "--trusted-key", paramLabel = "KEY", description = "Accept only remotes signed by this public key: a file from npc keys generate or its npc-ed25519-public:... line (repeatable).")
    List<String> trustedKeys;
    @Option(names = "--allowed-remote", paramLabel = "NAME",
            description = "Follow only these remotes: desired.json naming another is refused and reported (repeatable; default: any).")
    List<String> allowedRemotes;

    @Option(names = "--substituter-key", paramLabel = "KEY",
            description = "Public key of a binary cache (name:base64), passed to nix as extra-trusted-public-keys (repeatable).")
    List<String> substituterKeys;
    @Option(names = "--keep-generations", paramLabel = "N",
            description = "System generations kept after a healthy switch (never the running or booted one); default 10.")
    Integer keepGenerations;
    @Option(names = "--health-strict", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Count every failed unit against a switch, also units that had failed before it; default false.")
    Boolean healthStrict;
    @Option(names = "--booted-system", paramLabel = "PATH", description = "The booted system link; default /run/booted-system.")
    String bootedSystem;

    DaemonConfig toConfig() {
        return new DaemonConfig(store, endpointUrl, region, host, configuration, interval, action, healthCommands,
                healthUrls, healthTimeout, preActivate, postActivate, onFailure, extraSubstituters, buildTimeout,
                switchTimeout, retries, retryBackoff, metricsFile, nixBin, systemctl, currentSystem, systemProfile,
                selfPath, trustedKeys).withActivation(substituterKeys, keepGenerations, healthStrict, bootedSystem)
                .withAllowedRemotes(allowedRemotes);
    }
}
