package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import dev.npc.host.HostName;
import dev.npc.host.RebootPolicy;
import dev.npc.store.StoreLocation;
import dev.npc.time.MaintenanceWindow;
import dev.npc.trust.RemoteVerifier;
import dev.npc.trust.TrustedKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the daemon, each defined once, here: its flag, its type (parsed once, by a
 * picocli converter, so a wrong value is one line naming the flag), its default and, where it has
 * one, its environment variable ({@code ${env:NAME}}). {@code follow} and {@code install} take
 * this class as a mixin. A setting the command line leaves out comes from its environment
 * variable, else {@code <state-dir>/config.json} (written by install, under the field's name
 * below), else its default: {@link SettingsDefaults}. The NixOS module's flags are held against
 * {@link #flags()} by the tests, so the two cannot drift.
 *
 * <p>Adding a setting: a field with its {@code @Option} and an accessor here, its option in
 * nixos/module.nix (nixos/daemon-flags.nix), and its tests.
 */
public final class Settings {
    /** Jitter on every interval (plus or minus this share), so a fleet started together does not poll in step. */
    public static final double JITTER = 0.2;
    /** The pause between two rounds of health checks. */
    public static final Duration HEALTH_RETRY_PAUSE = Duration.ofSeconds(2);

    /**
     * picocli's split for list settings. A list from config.json reaches picocli as one default
     * text whose items {@link ConfigFile} separates with NUL; no command-line argument can hold a
     * NUL, so a value given as a flag is never split.
     */
    static final String ITEMS = "\\x00";

    @Option(names = "--store", paramLabel = "URL", defaultValue = "${env:NPC_STORE}", converter = Converters.Store.class,
            description = "The store this host follows: s3://bucket/prefix, or file:///dir for local use."
                    + " Also NPC_STORE; install records it in config.json.")
    private StoreLocation store;

    @Option(names = "--endpoint-url", paramLabel = "URL", converter = Converters.HttpUrl.class,
            description = "An S3-compatible endpoint (MinIO, Ceph, S3Proxy); default: AWS S3.")
    private URI endpointUrl;

    @Option(names = "--region", paramLabel = "REGION",
            description = "The bucket's AWS region; default: the SDK's region chain (AWS_REGION, instance metadata).")
    private String region;

    @Option(names = "--host", paramLabel = "NAME", converter = Converters.Host.class,
            description = "This host's name in the store; default: the machine's host name.")
    private String host;

    @Option(names = "--configuration", paramLabel = "NAME",
            description = "The nixosConfigurations attribute to build when desired.json names none; default: the"
                    + " host name.")
    private String configuration;

    @Option(names = "--interval", paramLabel = "SPAN", defaultValue = "60s", converter = Converters.PositiveSpan.class,
            description = "Time between polls, with +-20%% jitter; default ${DEFAULT-VALUE}.")
    private Duration interval;

    @Option(names = "--action", paramLabel = "ACTION", defaultValue = "switch", converter = Converters.ActionName.class,
            description = "switch, boot or test: what to do with a new system when desired.json names no action;"
                    + " default ${DEFAULT-VALUE}.")
    private String action;

    @Option(names = "--window", paramLabel = "WINDOW", converter = Converters.Window.class,
            description = "The maintenance window new versions are switched to and reboots made in, e.g."
                    + " 'Sat 02:00-04:00 UTC' or 'Mon..Fri 22:00-23:30 Europe/Berlin' (no zone: the host's own);"
                    + " outside it a new version is downloaded, verified and built, then waits. desired.json's"
                    + " window replaces it; default: none (any time).")
    private MaintenanceWindow window;

    @Option(names = "--reboot", paramLabel = "POLICY", defaultValue = "never", converter = Converters.Reboot.class,
            description = "never or allowed: whether to reboot, inside the window, when a switch brought another"
                    + " kernel, initrd or kernel parameters than the booted system runs (then check health and roll"
                    + " back if it fails); never only reports 'reboot required'. desired.json's reboot replaces it;"
                    + " default ${DEFAULT-VALUE}.")
    private RebootPolicy reboot;

    @Option(names = "--health-command", paramLabel = "CMD", split = ITEMS, hideParamSyntax = true,
            description = "A shell command that must exit 0 after a switch (repeatable).")
    private List<String> healthCommands = List.of();

    @Option(names = "--health-url", paramLabel = "URL", split = ITEMS, hideParamSyntax = true,
            converter = Converters.HttpUrl.class,
            description = "An http(s) URL that must answer 2xx after a switch (repeatable).")
    private List<URI> healthUrls = List.of();

    @Option(names = "--health-tcp", paramLabel = "HOST:PORT", split = ITEMS, hideParamSyntax = true,
            converter = Converters.Tcp.class,
            description = "A TCP port that must accept a connection after a switch, e.g. 127.0.0.1:5432 or"
                    + " [::1]:5432 (repeatable).")
    private List<HostPort> healthTcp = List.of();

    @Option(names = "--health-timeout", paramLabel = "SPAN", defaultValue = "120s", converter = Converters.Span.class,
            description = "How long the health checks may take to pass (they are tried again every 2s until"
                    + " then); default ${DEFAULT-VALUE}.")
    private Duration healthTimeout;

    @Option(names = "--health-strict", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            paramLabel = "true|false",
            description = "Count every failed unit against a switch, also units that had failed before it;"
                    + " default ${DEFAULT-VALUE}.")
    private boolean healthStrict;

    @Option(names = "--pre-activate", paramLabel = "CMD",
            description = "A shell command run before switch-to-configuration; failing skips the activation.")
    private String preActivate;

    @Option(names = "--post-activate", paramLabel = "CMD",
            description = "A shell command run after a healthy activation.")
    private String postActivate;

    @Option(names = "--on-failure", paramLabel = "CMD",
            description = "A shell command run when an attempt fails or is rolled back (for alerts).")
    private String onFailure;

    @Option(names = "--extra-substituter", paramLabel = "URL", split = ITEMS, hideParamSyntax = true,
            description = "A binary cache for builds and pre-built systems (repeatable).")
    private List<String> extraSubstituters = List.of();

    @Option(names = "--substituter-key", paramLabel = "KEY", split = ITEMS, hideParamSyntax = true,
            description = "The public key of a binary cache (name:base64), passed to nix as"
                    + " extra-trusted-public-keys (repeatable).")
    private List<String> substituterKeys = List.of();

    @Option(names = "--build-timeout", paramLabel = "SPAN", defaultValue = "2h", converter = Converters.Span.class,
            description = "The limit for nix build and nix-store --realise; default ${DEFAULT-VALUE}.")
    private Duration buildTimeout;

    @Option(names = "--switch-timeout", paramLabel = "SPAN", defaultValue = "15min", converter = Converters.Span.class,
            description = "When a running switch is reported as slow; after as long again npc asks systemd to"
                    + " stop it and rolls back (it never kills a switch itself); default ${DEFAULT-VALUE}.")
    private Duration switchTimeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2", converter = Converters.Count.class,
            description = "How often a failed version is tried again, with backoff, before npc waits for a new"
                    + " one; default ${DEFAULT-VALUE}.")
    private int retries;

    @Option(names = "--retry-backoff", paramLabel = "SPAN", defaultValue = "1min", converter = Converters.Span.class,
            description = "The wait before the first retry, doubling after each; default ${DEFAULT-VALUE}.")
    private Duration retryBackoff;

    /** What nixos-rebuild users typically keep (systemd-boot's configurationLimit examples use 10). */
    @Option(names = "--keep-generations", paramLabel = "N", defaultValue = "10",
            converter = Converters.PositiveCount.class,
            description = "System generations kept after a healthy switch; older ones go, never the running or"
                    + " the booted one; default ${DEFAULT-VALUE}.")
    private int keepGenerations;

    @Option(names = "--trusted-key", paramLabel = "KEY", split = ITEMS, hideParamSyntax = true,
            converter = Converters.Key.class,
            description = "Accept only remotes signed by this public key: a file from npc keys generate, or its"
                    + " npc-ed25519-public:... line (repeatable; default: any remote, checked against its"
                    + " sha256 only).")
    private List<TrustedKey> trustedKeys = List.of();

    @Option(names = "--allowed-remote", paramLabel = "NAME", split = ITEMS, hideParamSyntax = true,
            converter = Converters.Remote.class,
            description = "Follow only this remote: a desired.json naming another is refused and reported"
                    + " (repeatable; default: any).")
    private List<String> allowedRemotes = List.of();

    @Option(names = "--metrics-file", paramLabel = "FILE",
            description = "A Prometheus text file with npc's state, for node_exporter's textfile collector;"
                    + " default: none.")
    private Path metricsFile;

    @Option(names = "--nix-bin", paramLabel = "DIR", defaultValue = "${env:NPC_NIX_BIN}",
            description = "The directory with nix, nix-env and nix-store, or the nix binary itself. Also"
                    + " NPC_NIX_BIN; default: PATH.")
    private Path nixBin;

    @Option(names = "--systemctl", paramLabel = "FILE", defaultValue = "${env:NPC_SYSTEMCTL_BIN}",
            description = "systemctl; systemd-run is taken from the same directory. Also NPC_SYSTEMCTL_BIN;"
                    + " default: PATH.")
    private Path systemctl;

    @Option(names = "--current-system", paramLabel = "PATH", defaultValue = "/run/current-system",
            description = "The running system's link; default ${DEFAULT-VALUE}.")
    private Path currentSystem;

    @Option(names = "--system-profile", paramLabel = "PATH", defaultValue = "/nix/var/nix/profiles/system",
            description = "The system profile that switch and boot set; default ${DEFAULT-VALUE}.")
    private Path systemProfile;

    @Option(names = "--booted-system", paramLabel = "PATH", defaultValue = "/run/booted-system",
            description = "The booted system's link; default ${DEFAULT-VALUE}.")
    private Path bootedSystem;

    @Option(names = "--self-path", paramLabel = "FILE", defaultValue = "${env:NPC_SELF_PATH}",
            description = "This daemon's launcher: when a switch brings another, the daemon reports and exits"
                    + " for systemd to start the new one. Also NPC_SELF_PATH; default: none.")
    private Path selfPath;

    /** What no flag gives, set by {@link #resolve}. */
    private StateDir stateDir;
    private SystemCommands system;
    private RemoteVerifier verifier;

    /** picocli makes it, as a mixin of follow and install, or {@link #parse} does. */
    private Settings() { }

    /**
     * Completes the settings with what no flag gives, the state directory and the machine's host
     * name (the host when neither --host nor config.json names one), and checks what no single
     * flag can.
     *
     * @return this
     * @throws IllegalArgumentException one line naming the setting and the fix
     */
    public Settings resolve(StateDir stateDir, String machineHostname) {
        if (store == null) {
            throw new IllegalArgumentException("no store configured; give --store s3://bucket/prefix (or set NPC_STORE,"
                    + " or run npc-daemon install --store URL --host NAME)");
        }
        if (host == null) {
            host = HostName.check(machineHostname);
        }
        this.stateDir = stateDir;
        this.system = SystemCommands.of(nixBin, systemctl, currentSystem, systemProfile, bootedSystem);
        this.verifier = new RemoteVerifier(trustedKeys);
        return this;
    }

    /**
     * Settings from flags as follow reads them, with the environment and config.json, for code
     * that runs a daemon without its command line (the demo, tests).
     *
     * @throws IllegalArgumentException one line naming the flag and the fix
     * @throws ConfigFile.Unreadable    when config.json cannot be read
     */
    public static Settings parse(Map<String, String> env, String machineHostname, String... args) {
        Flags flags = new Flags();
        CommandLine cli = new CommandLine(flags).setOverwrittenOptionsAllowed(true)
                .setDefaultValueProvider(new SettingsDefaults(env));
        try {
            cli.parseArgs(args);
        } catch (ParameterException e) {
            throw OptionErrors.unchecked(e);
        }
        return flags.settings.resolve(flags.stateDir.stateDir(), machineHostname);
    }

    @Command(name = "settings")
    private static final class Flags {
        @Mixin
        StateDirOption stateDir;
        @Mixin
        Settings settings;
    }

    /** Every settings flag, as the daemon defines them: the list the NixOS module is held against. */
    public static List<String> flags() {
        return CommandSpec.forAnnotatedObject(new Settings()).options().stream().map(OptionSpec::longestName).toList();
    }

    /** Whether {@code arg} is one of the settings here (rather than --state-dir, --once, --help...). */
    static boolean isSetting(ArgSpec arg) {
        return arg.userObject() instanceof Field field && field.getDeclaringClass() == Settings.class;
    }

    /** Shell commands run around an activation; null when not configured. */
    public record Hooks(String preActivate, String postActivate, String onFailure) { }

    public StateDir stateDir() {
        return stateDir;
    }

    /** The store's URL, as {@link StoreLocation} writes it. */
    public String store() {
        return store.url();
    }

    public String endpointUrl() {
        return endpointUrl == null ? null : endpointUrl.toString();
    }

    public String region() {
        return region;
    }

    public String host() {
        return host;
    }

    public String configuration() {
        return configuration;
    }

    public Duration interval() {
        return interval;
    }

    public double jitter() {
        return JITTER;
    }

    public String action() {
        return action;
    }

    /** The maintenance window, or null when switches and reboots may happen any time. */
    public MaintenanceWindow window() {
        return window;
    }

    public RebootPolicy reboot() {
        return reboot;
    }

    public List<String> healthCommands() {
        return List.copyOf(healthCommands);
    }

    public List<URI> healthUrls() {
        return List.copyOf(healthUrls);
    }

    public List<HostPort> healthTcp() {
        return List.copyOf(healthTcp);
    }

    public Duration healthTimeout() {
        return healthTimeout;
    }

    public Duration healthRetryPause() {
        return HEALTH_RETRY_PAUSE;
    }

    public boolean healthStrict() {
        return healthStrict;
    }

    public Hooks hooks() {
        return new Hooks(preActivate, postActivate, onFailure);
    }

    public List<String> extraSubstituters() {
        return List.copyOf(extraSubstituters);
    }

    public List<String> substituterKeys() {
        return List.copyOf(substituterKeys);
    }

    public Duration buildTimeout() {
        return buildTimeout;
    }

    public Duration switchTimeout() {
        return switchTimeout;
    }

    public int retries() {
        return retries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public int keepGenerations() {
        return keepGenerations;
    }

    /** What --trusted-key asks of remotes; its keys were read once, at start. */
    public RemoteVerifier verifier() {
        return verifier;
    }

    public List<String> allowedRemotes() {
        return List.copyOf(allowedRemotes);
    }

    public Path metricsFile() {
        return metricsFile;
    }

    public SystemCommands system() {
        return system;
    }

    public Path selfPath() {
        return selfPath;
    }
}
