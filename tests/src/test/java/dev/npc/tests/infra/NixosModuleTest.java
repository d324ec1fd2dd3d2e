package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.daemon.config.Settings;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evaluates nixos/module.nix with Debian's nix and the stand-in module system, and asserts the
 * systemd units it generates. What a real NixOS build adds (systemd accepting the unit, the
 * daemon starting) is for a real host: see nixos/README.md.
 */
class NixosModuleTest {
    private static final String STORE = "s3://fleet-bucket/fleet";

    @TempDir
    Path work;
    private Nix nix;

    @BeforeEach
    void setUp() {
        nix = new Nix(work);
    }

    @Test
    void withoutAStoreTheDaemonUsesTheOneInstallRecorded() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; };", "web-1");
        List<String> argv = SystemdExecLine.split(result.get("service").get("serviceConfig").get("ExecStart").asText());
        assertFalse(argv.contains("--store"), "no --store: config.json's, from npc-daemon install, stands: " + argv);
        assertFalse(argv.contains("--host"), argv.toString());
    }

    @Test
    void aLongRunningServiceThatASwitchNeverRestarts() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; };", "web-1");
        JsonNode service = result.get("service");

        assertFalse(service.get("restartIfChanged").asBoolean(), "a switch must not restart the daemon running it");
        assertFalse(service.get("stopIfChanged").asBoolean(), "a switch must not stop the daemon running it");
        // switch-to-configuration-ng stops a unit the new system lacks unless its [Unit] says
        // X-StopOnRemoval=false (nixpkgs pkgs/by-name/sw/switch-to-configuration-ng/src/main.rs).
        assertFalse(service.get("unitConfig").get("X-StopOnRemoval").asBoolean(true),
                "a configuration without services.npc must not stop the daemon mid-switch");
        String unitText = result.get("unitText").asText();
        assertTrue(unitText.contains("[Unit]\n") && unitText.contains("X-StopOnRemoval=false\n")
                && unitText.contains("X-RestartIfChanged=false\nX-StopIfChanged=false\n"), unitText);
        JsonNode unit = service.get("serviceConfig");
        assertEquals("always", unit.get("Restart").asText());
        assertEquals("npc", unit.get("StateDirectory").asText());
        assertFalse(unit.has("EnvironmentFile"));
        assertEquals("multi-user.target", service.get("wantedBy").get(0).asText());
        // No --host: the daemon takes what install recorded, else the kernel's host name.
        assertEquals(List.of(result.get("package").asText() + "/bin/npc-daemon", "follow",
                        "--state-dir", "/var/lib/npc", "--store", STORE,
                        "--interval", "60s", "--action", "switch", "--reboot", "never", "--health-timeout", "120s",
                        "--keep-generations", "10"),
                SystemdExecLine.split(unit.get("ExecStart").asText()));
        assertEquals(List.of("file://" + result.get("package").asText() + "/share/doc/npc/nixos-module.md"),
                strings(service.get("documentation")), "the package's own documentation, no web address that can move");
        assertEquals("pkgs.npc", result.get("packageDefaultText").asText(), "lib.mkPackageOption pkgs \"npc\"");

        JsonNode env = service.get("environment");
        assertTrue(env.get("NPC_NIX_BIN").asText().matches("/nix/store/[a-z0-9]{32}-nix/bin"), env.toString());
        assertEquals(result.get("package").asText() + "/bin/npc-daemon", env.get("NPC_SELF_PATH").asText(),
                "the daemon restarts itself when a switch brings another npc");
        assertTrue(env.get("NPC_SYSTEMCTL_BIN").asText().endsWith("/bin/systemctl"), env.toString());
        assertEquals(String.join(" ", jvmFlags(true)), env.get("NPC_JAVA_OPTS").asText(),
                "a daemon that keeps running: bin/jvm.options, then bin/jvm-resident.options");
        assertFalse(env.has("AWS_REGION"), "no region set: the SDK finds it");
        assertTrue(result.get("timer").isNull());
        assertEquals(List.of("npc"), strings(result.get("systemPackages")));
        assertEquals(0, result.get("failedAssertions").size());
    }

    @Test
    void theWatchServiceRunsNpcWatchAsADynamicUserWithItsWebhooksAsACredential() throws IOException {
        JsonNode result = evaluate("services.npc-watch = { enable = true; store = \"" + STORE + "\";"
                + " webhookFile = \"/run/secrets/npc-webhooks\"; onChange = [ \"logger -t 'npc watch'\" ];"
                + " interval = \"1min\"; region = \"eu-west-1\"; environmentFile = \"/run/secrets/npc-watch.env\"; };", "admin-1");
        assertTrue(result.get("service").isNull(), "watching the fleet does not make this machine a host");
        JsonNode service = result.get("watchService");
        JsonNode unit = service.get("serviceConfig");
        // %d is left for systemd to expand (the credentials directory); the rest is quoted so it expands nothing.
        String execStart = unit.get("ExecStart").asText();
        String credential = " --webhook-file %d/webhooks";
        assertTrue(execStart.endsWith(credential), execStart);
        List<String> argv = SystemdExecLine.split(execStart.substring(0, execStart.length() - credential.length()));
        assertEquals(List.of(result.get("package").asText() + "/bin/npc", "watch", "--store", STORE,
                "--state", "/var/lib/npc-watch/state.json", "--every", "1min", "--stale-after", "3",
                "--on-change", "logger -t 'npc watch'"), argv);
        // The URLs are a secret: systemd hands the file over as a credential (%d is its directory),
        // so they are in no unit file, command line or store path.
        assertEquals("webhooks:/run/secrets/npc-webhooks", unit.get("LoadCredential").asText());
        assertTrue(result.get("watchUnitText").asText().contains("--webhook-file %d/webhooks"),
                "%d reaches systemd as a specifier, not doubled: " + result.get("watchUnitText").asText());
        assertEquals("/run/secrets/npc-watch.env", unit.get("EnvironmentFile").asText());
        assertTrue(unit.get("DynamicUser").asBoolean());
        assertEquals("npc-watch", unit.get("StateDirectory").asText());
        assertEquals("0700", unit.get("StateDirectoryMode").asText());
        assertEquals("always", unit.get("Restart").asText());
        assertEquals("strict", unit.get("ProtectSystem").asText());
        assertTrue(unit.get("NoNewPrivileges").asBoolean() && unit.get("ProtectHome").asBoolean()
                && unit.get("PrivateTmp").asBoolean() && unit.get("RestrictNamespaces").asBoolean(), unit.toString());
        assertEquals("", unit.get("CapabilityBoundingSet").asText());
        assertFalse(unit.has("MemoryDenyWriteExecute"), "the JVM's JIT writes the code it runs");
        assertEquals("eu-west-1", service.get("environment").get("AWS_REGION").asText());
        assertTrue(service.get("environment").get("NPC_JAVA_OPTS").asText().contains("-Xmx"));
        assertEquals("multi-user.target", service.get("wantedBy").get(0).asText());
        assertEquals(0, result.get("failedAssertions").size());

        JsonNode nowhere = evaluate("services.npc-watch = { enable = true; store = \"" + STORE + "\"; };", "admin-1");
        assertEquals(List.of("services.npc-watch has nowhere to send events: set services.npc-watch.webhookFile or"
                + " services.npc-watch.onChange."), strings(nowhere.get("failedAssertions")));
        assertTrue(evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; };", "web-1")
                .get("watchService").isNull(), "off unless enabled");
        assertTrue(strings(evaluate("services.npc-watch = { enable = true; onChange = [ \"true\" ]; };", "admin-1")
                .get("failedAssertions")).get(0).startsWith("services.npc-watch.store is not set"));
        ProcessResult badInterval = evaluateRaw("services.npc-watch = { enable = true; store = \"" + STORE
                + "\"; onChange = [ \"true\" ]; interval = \"soon\"; };", "admin-1");
        assertNotEquals(0, badInterval.exitCode());
        assertTrue(badInterval.printed("services.npc-watch.interval"), badInterval.toString());
    }

    @Test
    void aDisabledModuleAddsNothing() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = false; store = \"" + STORE + "\"; };", "web-1");

        assertTrue(result.get("service").isNull());
        assertTrue(result.get("timer").isNull());
        assertEquals(0, result.get("systemPackages").size());
    }

    @Test
    void everySettingReachesTheDaemonIntactThroughSystemdQuoting() throws IOException {
        String awkward = "curl -fsS \"http://127.0.0.1/a b\" && test \"$(cat /tmp/x)\" = '100%'";
        JsonNode result = evaluate("""
                services.npc = {
                  enable = true; store = "%s"; host = "edge-7"; region = "eu-west-1";
                  interval = "5m"; action = "boot"; window = "Mon..Fri 22:00-23:30 Europe/Berlin"; reboot = "allowed";
                  healthChecks = { commands = [ %s "systemctl is-active nginx" ]; urls = [ "http://127.0.0.1/healthz" ]; timeout = "3m"; };
                  healthChecks.tcp = [ "127.0.0.1:5432" "[::1]:6379" ];
                  healthChecks.strict = true;
                  hooks = { preActivate = "echo pre"; postActivate = "echo post"; onFailure = "logger npc failed"; };
                  trustedKeys = [ "npc-key-1:AAAA" ];
                  endpointUrl = "https://minio.example.com"; configuration = "web";
                  buildTimeout = "1h"; switchTimeout = "10 min"; retries = 0; retryBackoff = "5min"; keepGenerations = 3;
                  environmentFile = "/run/secrets/npc.env";
                  metrics.enable = true;
                };
                """.formatted(STORE, nixString(awkward)), "web-1");

        JsonNode service = result.get("service");
        List<String> argv = SystemdExecLine.split(service.get("serviceConfig").get("ExecStart").asText());
        assertPair(argv, "--host", "edge-7");
        assertPair(argv, "--interval", "5m");
        assertPair(argv, "--action", "boot");
        assertPair(argv, "--window", "Mon..Fri 22:00-23:30 Europe/Berlin");
        assertPair(argv, "--reboot", "allowed");
        assertPair(argv, "--region", "eu-west-1");
        assertPair(argv, "--health-command", awkward);
        assertEquals(2, argv.stream().filter("--health-command"::equals).count());
        assertPair(argv, "--health-url", "http://127.0.0.1/healthz");
        assertPair(argv, "--health-tcp", "127.0.0.1:5432");
        assertPair(argv, "--health-tcp", "[::1]:6379");
        assertPair(argv, "--health-timeout", "3m");
        assertPair(argv, "--pre-activate", "echo pre");
        assertPair(argv, "--post-activate", "echo post");
        assertPair(argv, "--on-failure", "logger npc failed");
        assertPair(argv, "--trusted-key", "npc-key-1:AAAA");
        assertPair(argv, "--endpoint-url", "https://minio.example.com");
        assertPair(argv, "--configuration", "web");
        assertPair(argv, "--build-timeout", "1h");
        assertPair(argv, "--switch-timeout", "10 min");
        assertPair(argv, "--retries", "0");
        assertPair(argv, "--retry-backoff", "5min");
        assertPair(argv, "--keep-generations", "3");
        assertTrue(argv.contains("--health-strict"), argv.toString());
        assertEquals("/run/secrets/npc.env", service.get("serviceConfig").get("EnvironmentFile").asText());
        assertPair(argv, "--metrics-file", "/var/lib/prometheus-node-exporter-text-files/npc.prom");
        assertEquals("eu-west-1", service.get("environment").get("AWS_REGION").asText());
        assertEquals(List.of("d /var/lib/prometheus-node-exporter-text-files 0755 root root -"), strings(result.get("tmpfiles")));
    }

    @Test
    void timerModeRunsFollowOnceFromATimer() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE
                + "\"; interval = \"15m\"; timer.enable = true; };", "web-1");

        JsonNode service = result.get("service");
        JsonNode unit = service.get("serviceConfig");
        assertEquals("oneshot", unit.get("Type").asText());
        assertFalse(unit.has("Restart"), "a oneshot run must not be restarted in a loop");
        assertFalse(service.has("wantedBy"), "the timer starts it, not the boot");
        assertFalse(service.get("restartIfChanged").asBoolean());
        List<String> argv = SystemdExecLine.split(unit.get("ExecStart").asText());
        assertEquals("--once", argv.get(argv.size() - 1));
        assertEquals(String.join(" ", jvmFlags(false)), service.get("environment").get("NPC_JAVA_OPTS").asText(),
                "a short run keeps the flags of every other command");

        JsonNode timer = result.get("timer");
        assertEquals("15m", timer.get("timerConfig").get("OnUnitInactiveSec").asText());
        assertEquals("timers.target", timer.get("wantedBy").get(0).asText());
    }

    @Test
    void substituterKeysAreHonouredOnTheirOwn() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\";"
                + " substituterKeys = [ \"cache-1:BBBB\" ]; };", "web-1");

        assertFalse(result.get("nixSettings").has("extra-substituters"));
        assertEquals(List.of("cache-1:BBBB"), strings(result.get("nixSettings").get("extra-trusted-public-keys")));
        assertPair(SystemdExecLine.split(result.get("service").get("serviceConfig").get("ExecStart").asText()),
                "--substituter-key", "cache-1:BBBB");
    }

    @Test
    void extraSubstitutersGoToNixSettings() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\";"
                + " extraSubstituters = [ \"s3://cache?region=eu-west-1\" ]; substituterKeys = [ \"cache-1:BBBB\" ]; };", "web-1");

        assertEquals(List.of("s3://cache?region=eu-west-1"), strings(result.get("nixSettings").get("extra-substituters")));
        assertEquals(List.of("cache-1:BBBB"), strings(result.get("nixSettings").get("extra-trusted-public-keys")));
        assertPair(SystemdExecLine.split(result.get("service").get("serviceConfig").get("ExecStart").asText()),
                "--extra-substituter", "s3://cache?region=eu-west-1");
    }

    @Test
    void badSettingsFailEvaluationNamingTheOption() {
        assertRefused("action = \"reboot\";", "services.npc.action");
        assertRefused("interval = \"soon\";", "services.npc.interval");
        assertRefused("switchTimeout = \"infinity\";", "services.npc.switchTimeout");
        assertRefused("keepGenerations = 0;", "services.npc.keepGenerations");
        assertRefused("healthChecks.tcp = [ \"5432\" ];", "services.npc.healthChecks.tcp");
        assertRefused("retryBackoff = \"soon\";", "services.npc.retryBackoff");
        assertRefused("window = \"Sat 2:00-4:00\";", "services.npc.window");
        assertRefused("reboot = \"always\";", "services.npc.reboot");
        assertRefused("metrics = { enable = true; path = \"npc.prom\"; };", "services.npc.metrics.path");
        assertRefused("environmentFile = \"npc.env\";", "services.npc.environmentFile");
        ProcessResult badStore = evaluateRaw("services.npc = { enable = true; store = \"bucket/prefix\"; };", "web-1");
        assertNotEquals(0, badStore.exitCode(), "a store that is not a URL was accepted");
        assertTrue(badStore.printed("services.npc.store"), badStore.toString());
    }

    @Test
    void aHostSetToSomethingThatIsNotANameFailsAnAssertionThatSaysWhatToSet() throws IOException {
        JsonNode escaping = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; host = \"a/../b\"; };", "web-1");

        assertEquals(1, escaping.get("failedAssertions").size());
        assertTrue(escaping.get("failedAssertions").get(0).asText().contains("set services.npc.host to the host's name"
                + " in the store, or leave it null"), escaping.get("failedAssertions").toString());
    }

    // EC2 images leave networking.hostName empty (the DHCP name is the kernel's): host stays null and
    // the daemon takes the name the bootstrap's `npc-daemon install --host` recorded.
    @Test
    void withoutAHostTheUnitPassesNoneAndAnEmptyHostNameIsNoError() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; };", "");
        JsonNode named = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; host = \"web-7\"; };", "");

        assertEquals(0, result.get("failedAssertions").size());
        assertFalse(SystemdExecLine.split(result.get("service").get("serviceConfig").get("ExecStart").asText())
                .contains("--host"));
        assertPair(SystemdExecLine.split(named.get("service").get("serviceConfig").get("ExecStart").asText()),
                "--host", "web-7");
    }

    @Test
    void moduleConventionsANixpkgsReviewAsksFor() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; };", "web-1");

        // No person in lib.maintainers stands for this module: an empty list, not an invented name.
        assertTrue(result.get("meta").get("maintainers").isArray());
        assertEquals(0, result.get("meta").get("maintainers").size());
        assertEquals("path", result.get("optionTypes").get("metricsPath").asText());
        assertEquals("null or path", result.get("optionTypes").get("environmentFile").asText());
    }

    /**
     * Daemon flags the module passes no option for, deliberately: the unit sets them through its
     * environment, each to the variable the daemon reads it from (Settings declares them so).
     */
    private static final Map<String, String> SET_THROUGH_THE_ENVIRONMENT = Map.of(
            "--nix-bin", "NPC_NIX_BIN", "--systemctl", "NPC_SYSTEMCTL_BIN", "--self-path", "NPC_SELF_PATH");
    /** Daemon flags for tests' stand-ins: on NixOS the daemon's defaults are NixOS's own paths. */
    private static final Set<String> NIXOS_PATHS = Set.of("--current-system", "--system-profile", "--booted-system");
    /** services.npc options that reach the daemon as no flag, and what they are for instead. */
    private static final Map<String, String> MODULE_ONLY = Map.of(
            "enable", "adds the unit",
            "package", "the program the unit runs",
            "environmentFile", "systemd's EnvironmentFile= (credentials)",
            "jvmOptions", "NPC_JAVA_OPTS",
            "metrics.enable", "whether metrics.path is passed as --metrics-file",
            "timer.enable", "--once from a timer instead of a long-running service",
            "timer.randomizedDelay", "the timer's RandomizedDelaySec=");

    // The module passes the daemon's settings from one list, nixos/daemon-flags.nix; this holds it
    // against the daemon's own definitions, so neither side gains a setting the other lacks.
    @Test
    void everyDaemonSettingHasAModuleOptionAndEveryOptionReachesTheDaemon() throws IOException {
        JsonNode result = evaluate("services.npc = { enable = true; store = \"" + STORE + "\"; };", "web-1");
        List<String> daemon = Settings.flags();
        Map<String, String> optionOfFlag = new TreeMap<>();
        result.get("daemonFlags").forEach(entry -> optionOfFlag.put("--" + entry.get("flag").asText(),
                String.join(".", strings(entry.get("option")))));
        Set<String> options = new TreeSet<>();
        result.get("options").forEach(path -> options.add(String.join(".", strings(path))));

        List<String> problems = new ArrayList<>();
        for (String flag : daemon) {
            boolean leftOut = SET_THROUGH_THE_ENVIRONMENT.containsKey(flag) || NIXOS_PATHS.contains(flag);
            if (!leftOut && !optionOfFlag.containsKey(flag)) {
                problems.add("npc-daemon's " + flag + " has no services.npc option: add one to nixos/module.nix and"
                        + " nixos/daemon-flags.nix, or list it in this test as left out, with the reason");
            }
            if (leftOut && optionOfFlag.containsKey(flag)) {
                problems.add(flag + " is listed here as left out of the module, yet nixos/daemon-flags.nix passes it");
            }
        }
        optionOfFlag.forEach((flag, option) -> {
            if (!daemon.contains(flag)) {
                problems.add("nixos/daemon-flags.nix passes " + flag + ", which npc-daemon does not define"
                        + " (dev.npc.daemon.config.Settings)");
            }
            if (!options.contains(option)) {
                problems.add("nixos/daemon-flags.nix reads services.npc." + option + ", which nixos/module.nix does"
                        + " not declare");
            }
        });
        for (String option : options) {
            if (!optionOfFlag.containsValue(option) && !MODULE_ONLY.containsKey(option)) {
                problems.add("services.npc." + option + " reaches npc-daemon as no flag: add it to"
                        + " nixos/daemon-flags.nix, or list it in this test as module-only, with the reason");
            }
        }
        for (String flag : SET_THROUGH_THE_ENVIRONMENT.keySet()) {
            if (!daemon.contains(flag)) {
                problems.add(flag + " is listed here as set through the environment, but npc-daemon has no such flag");
            }
        }
        MODULE_ONLY.keySet().stream().filter(option -> !options.contains(option))
                .forEach(option -> problems.add("services.npc." + option + " is listed here as module-only, but"
                        + " nixos/module.nix does not declare it"));
        assertEquals(List.of(), problems);

        JsonNode env = result.get("service").get("environment");
        SET_THROUGH_THE_ENVIRONMENT.forEach((flag, variable) -> assertTrue(env.has(variable),
                flag + " is left to the unit's environment, which sets no " + variable + ": " + env));
    }

    // One grammar on both sides: the module's time-span type accepts exactly the texts the daemon's
    // parser (npc-core dev.npc.time.Durations, DurationsTest) accepts, from one table.
    @Test
    void theTimeSpanTypeAcceptsExactlyTheTextsTheDaemonParses() throws IOException {
        JsonNode expected = sharedTable("time-spans.json", "spans");
        assertEquals(List.of(), disagreements("spansFile", "time-spans.json", "spans",
                row -> !row.get("micros").isNull()));
        assertTrue(expected.size() > 40, "the table covers systemd's units, spaces, fractions and refusals");
    }

    // One window grammar on every side: the module's type accepts exactly the texts the grammar accepts
    // (npc-core MaintenanceWindowTest runs the same table through the daemon's parser, HostModuleTest
    // through Terraform's validation). Rows marked zoneUnknown pass the type; the daemon refuses them.
    @Test
    void theWindowTypeAcceptsExactlyTheTextsOfTheSharedGrammar() throws IOException {
        JsonNode expected = sharedTable("windows.json", "windows");
        assertEquals(List.of(), disagreements("windowsFile", "windows.json", "windows",
                row -> row.get("valid").asBoolean()));
        assertTrue(expected.size() > 50, "the table covers days, ranges, times, zones and refusals");
    }

    /** A table npc-core's tests share with this one (npc-core/src/test/resources/dev/npc/time/). */
    private static JsonNode sharedTable(String file, String rows) throws IOException {
        return Json.mapper().readTree(Checkout.file("npc-core/src/test/resources/dev/npc/time/" + file).toFile())
                .get(rows);
    }

    /**
     * The rows of a shared table the module's type judges otherwise than {@code valid} says:
     * eval-module.nix, given the table as {@code argument}, checks each text against the option's type.
     */
    private List<String> disagreements(String argument, String file, String rows,
                                       java.util.function.Predicate<JsonNode> valid) throws IOException {
        ProcessResult raw = Tools.run(List.of("nix-instantiate", "--eval", "--strict", "--json",
                        Checkout.file("tests/src/test/resources/nix/eval-module.nix").toString(),
                        "--argstr", "module", Checkout.file("nixos/module.nix").toString(),
                        "--argstr", argument, Checkout.file("npc-core/src/test/resources/dev/npc/time/" + file).toString(),
                        "--arg", "settings", "{ services.npc = { enable = true; store = \"" + STORE + "\"; }; }"),
                nix.environment(), work);
        assertTrue(raw.ok(), raw.toString());
        String[] lines = raw.stdout().text().strip().split("\n");
        JsonNode judged = Json.mapper().readTree(lines[lines.length - 1]).get(rows);
        JsonNode expected = sharedTable(file, rows);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            boolean accepted = valid.test(expected.get(i));
            if (judged.get(i).get("accepted").asBoolean() != accepted) {
                wrong.add("'" + expected.get(i).get("text").asText() + "' " + (accepted ? "refused" : "accepted"));
            }
        }
        return wrong;
    }

    private void assertRefused(String setting, String option) {
        ProcessResult result = evaluateRaw("services.npc = { enable = true; store = \"" + STORE + "\"; " + setting + " };", "web-1");
        assertNotEquals(0, result.exitCode(), setting + " was accepted");
        assertTrue(result.printed(option), result.toString());
    }

    private JsonNode evaluate(String settings, String hostName) throws IOException {
        ProcessResult result = evaluateRaw(settings, hostName);
        if (!result.ok()) {
            throw new AssertionError("evaluation failed:\n" + result);
        }
        String[] lines = result.stdout().text().strip().split("\n");
        return Json.mapper().readTree(lines[lines.length - 1]);
    }

    private ProcessResult evaluateRaw(String settings, String hostName) {
        return Tools.run(List.of("nix-instantiate", "--eval", "--strict", "--json",
                        Checkout.file("tests/src/test/resources/nix/eval-module.nix").toString(),
                        "--argstr", "module", Checkout.file("nixos/module.nix").toString(),
                        "--argstr", "hostName", hostName,
                        "--arg", "settings", "{ " + settings + " }"),
                nix.environment(), work);
    }

    private static void assertPair(List<String> argv, String flag, String value) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (argv.get(i).equals(flag) && argv.get(i + 1).equals(value)) {
                return;
            }
        }
        throw new AssertionError("expected " + flag + " " + value + " in " + argv);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** A Nix string literal for any text. */
    private static String nixString(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("${", "\\${") + "\"";
    }

    /** bin/jvm.options, and for a daemon that keeps running bin/jvm-resident.options after it. */
    private static List<String> jvmFlags(boolean resident) {
        List<String> flags = new ArrayList<>(ArgumentFile.read(Checkout.file("bin/jvm.options")));
        if (resident) {
            flags.addAll(ArgumentFile.read(Checkout.file("bin/jvm-resident.options")));
        }
        return flags;
    }
}
