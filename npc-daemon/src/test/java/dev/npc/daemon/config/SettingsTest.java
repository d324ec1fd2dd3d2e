package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import dev.npc.trust.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path tmp;

    /** Settings as follow reads them, with this test's state directory and NPC_STORE=file:///x. */
    private Settings parse(String... flags) {
        return parse(Map.of("NPC_STORE", "file:///x"), flags);
    }

    private Settings parse(Map<String, String> env, String... flags) {
        List<String> args = new ArrayList<>(List.of("--state-dir", tmp.toString()));
        args.addAll(List.of(flags));
        return Settings.parse(env, "web-9", args.toArray(String[]::new));
    }

    @Test
    void defaultsAreThoseOfTheIssue() {
        Settings s = parse();
        assertEquals(new StateDir(tmp), s.stateDir());
        assertEquals("file:///x", s.store());
        assertEquals("web-9", s.host());
        assertEquals(Duration.ofSeconds(60), s.interval());
        assertEquals(0.2, s.jitter());
        assertEquals("switch", s.action());
        assertEquals(2, s.retries());
        assertEquals(Duration.ofMinutes(1), s.retryBackoff());
        assertEquals(Duration.ofSeconds(120), s.healthTimeout());
        assertEquals(Duration.ofHours(2), s.buildTimeout());
        assertEquals(Duration.ofMinutes(15), s.switchTimeout());
        assertEquals("nix", s.system().nix());
        assertEquals("systemctl", s.system().systemctl());
        assertEquals(Path.of("/run/current-system"), s.system().currentSystem());
        assertEquals(Path.of("/nix/var/nix/profiles/system"), s.system().systemProfile());
        assertEquals(List.of(), s.healthCommands());
        assertEquals(List.of(), s.healthTcp());
        assertNull(s.metricsFile());
        assertNull(s.selfPath());
        assertFalse(s.verifier().enforcing());
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheConfigFile() throws Exception {
        Files.writeString(tmp.resolve("config.json"), """
                {"store": "file:///from-file", "host": "file-host", "interval": "5m", "retries": 4}
                """);

        Settings s = parse(Map.of("NPC_STORE", "file:///from-env"), "--host", "flag-host");

        assertEquals("file:///from-env", s.store());
        assertEquals("flag-host", s.host());
        assertEquals(Duration.ofMinutes(5), s.interval());
        assertEquals(4, s.retries());
    }

    @Test
    void theStateDirectoryComesFromTheEnvironmentToo() throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"store\": \"file:///from-file\"}");

        Settings s = Settings.parse(Map.of("NPC_STATE_DIR", tmp.toString()), "h");

        assertEquals(new StateDir(tmp), s.stateDir());
        assertEquals("file:///from-file", s.store(), "config.json is read from NPC_STATE_DIR");
    }

    // The NixOS module sets these in the unit's environment instead of passing flags.
    @Test
    void theSystemCommandsComeFromTheEnvironmentTheModuleSets() {
        Settings s = parse(Map.of("NPC_STORE", "file:///x", "NPC_NIX_BIN", "/nix/store/n-nix/bin/nix",
                "NPC_SYSTEMCTL_BIN", "/nix/store/s-systemd/bin/systemctl", "NPC_SELF_PATH", "/nix/store/p-npc/bin/npc-daemon"));
        assertEquals("/nix/store/n-nix/bin/nix-store", s.system().nixStore());
        assertEquals("/nix/store/s-systemd/bin/systemctl", s.system().systemctl());
        assertEquals(Path.of("/nix/store/p-npc/bin/npc-daemon"), s.selfPath());
        assertEquals("/nix/store/x-nix/bin/nix", parse(Map.of("NPC_STORE", "file:///x", "NPC_NIX_BIN", " "),
                "--nix-bin", "/nix/store/x-nix/bin/nix").system().nix(), "a flag beats the environment");
        assertEquals("nix", parse(Map.of("NPC_STORE", "file:///x", "NPC_NIX_BIN", " ")).system().nix(),
                "a blank variable is no setting");
    }

    // Hosts installed before the settings had one definition keep their config.json: every field
    // of what install wrote then (this file, from that code) reads as it did.
    @Test
    void aConfigFileWrittenByTheFirstReleaseReadsAsWritten() throws Exception {
        Path publicKey = tmp.resolve("ci.pub");
        KeyFiles.generate(tmp.resolve("ci.key"), publicKey);
        String key = Files.readAllLines(publicKey).stream().filter(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX))
                .findFirst().orElseThrow();
        try (InputStream old = getClass().getResourceAsStream("config-0.1.0.json")) {
            Files.writeString(tmp.resolve("config.json"),
                    new String(old.readAllBytes(), StandardCharsets.UTF_8).replace("TRUSTED-KEY", key));
        }

        Settings s = Settings.parse(Map.of(), "h", "--state-dir", tmp.toString());

        assertEquals("s3://fleet-bucket/fleet", s.store());
        assertEquals("https://minio.example.com", s.endpointUrl());
        assertEquals("eu-west-1", s.region());
        assertEquals("web-1", s.host());
        assertEquals("web", s.configuration());
        assertEquals(Duration.ofMinutes(5), s.interval());
        assertEquals("boot", s.action());
        assertEquals(List.of("systemctl is-active nginx",
                "test \"$(cat /tmp/x)\" = '100%' && echo $$ ${HOME}\necho second line"), s.healthCommands(),
                "a shell command reaches the shell as written: no picocli interpolation, no split at a line end");
        assertEquals(List.of(URI.create("http://127.0.0.1/healthz")), s.healthUrls());
        assertEquals(Duration.ofMinutes(3), s.healthTimeout());
        assertEquals(new Settings.Hooks("echo pre", "echo post", "logger npc failed"), s.hooks());
        assertEquals(List.of("s3://cache?region=eu-west-1"), s.extraSubstituters());
        assertEquals(Duration.ofHours(1), s.buildTimeout());
        assertEquals(Duration.ofMinutes(10), s.switchTimeout());
        assertEquals(0, s.retries());
        assertEquals(Duration.ofSeconds(30), s.retryBackoff());
        assertEquals(Path.of("/var/lib/prometheus-node-exporter-text-files/npc.prom"), s.metricsFile());
        assertTrue(s.system().nixEnv().startsWith("/nix/store/x-nix/"), s.system().nixEnv());
        assertEquals("/nix/store/x-systemd/bin/systemctl", s.system().systemctl());
        assertEquals("/nix/store/x-systemd/bin/systemd-run", s.system().systemdRun());
        assertEquals(Path.of("/run/current-system-x"), s.system().currentSystem());
        assertEquals(Path.of("/nix/var/nix/profiles/system-x"), s.system().systemProfile());
        assertEquals(Path.of("/run/booted-system-x"), s.system().bootedSystem());
        assertEquals(Path.of("/nix/store/x-npc/bin/npc-daemon"), s.selfPath());
        assertTrue(s.verifier().enforcing());
        assertEquals(List.of("prod-canary", "prod"), s.allowedRemotes());
        assertEquals(List.of("cache-1:AAAA"), s.substituterKeys());
        assertEquals(3, s.keepGenerations());
        assertTrue(s.healthStrict());
        assertEquals(List.of(), s.healthTcp());
    }

    @Test
    void aListGivenAsFlagsReplacesTheConfigFilesList() throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"healthCommands\": [\"from-file-1\", \"from-file-2\"]}");

        assertEquals(List.of("from-file-1", "from-file-2"), parse().healthCommands());
        assertEquals(List.of("flag"), parse("--health-command", "flag").healthCommands());
    }

    // A list setting's values are split only where config.json's items are joined (NUL), so a
    // command-line value reaches the shell as given: quotes, commas, dollars and line ends included.
    @Test
    void aCommandLineValueIsTakenAsGiven() {
        List<String> commands = List.of("curl -fsS \"http://127.0.0.1/a b\" && test \"$(cat /tmp/x)\" = '100%'",
                "\"quoted whole\"", "a, b; echo $$ ${HOME}", "first\nsecond");
        List<String> args = new ArrayList<>();
        commands.forEach(command -> args.addAll(List.of("--health-command", command)));
        assertEquals(commands, parse(args.toArray(String[]::new)).healthCommands());
    }

    @Test
    void nixBinIsADirectoryOrTheNixBinary() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("nix"), "");
        assertEquals(bin.resolve("nix-env").toString(), parse("--nix-bin", bin.toString()).system().nixEnv());
        assertEquals(bin.resolve("nix-store").toString(), parse("--nix-bin", bin.resolve("nix").toString()).system().nixStore());
    }

    @Test
    void badSettingsAreRefusedWithOneLineNamingTheFlag() {
        assertMessage("no store configured; give --store", () -> parse(Map.of()));
        assertMessage("host name 'bad/name' is not valid", () -> Settings.parse(Map.of("NPC_STORE", "file:///x"),
                "bad/name", "--state-dir", tmp.toString()));
        assertMessage("--host: host name 'a/b' is not valid", () -> parse("--host", "a/b"));
        assertMessage("--action: 'reboot' is not one of switch, boot, test", () -> parse("--action", "reboot"));
        assertMessage("--health-url: 'ftp://x' is not an http(s) URL", () -> parse("--health-url", "ftp://x"));
        assertMessage("--retries: must be 0 or more", () -> parse("--retries", "-1"));
        assertMessage("--retries: 'two' is not a whole number", () -> parse("--retries", "two"));
        assertMessage("--interval: must be more than 0", () -> parse("--interval", "0s"));
        assertMessage("--interval: duration 'soon' is not valid", () -> parse("--interval", "soon"));
        assertMessage("--store: store URL 'bucket/prefix' is not supported", () -> parse("--store", "bucket/prefix"));
        assertMessage("--trusted-key: trusted key file key does not exist; create a pair with npc keys generate",
                () -> parse("--trusted-key", "key"));
        assertMessage("--allowed-remote: ", () -> parse("--allowed-remote", "../staging"));
        assertMessage("--health-tcp: '127.0.0.1' names no port", () -> parse("--health-tcp", "127.0.0.1"));
    }

    @Test
    void aBadValueFromTheEnvironmentOrTheConfigFileSaysWhereItCameFrom() throws Exception {
        assertMessage("--store (from NPC_STORE): store URL 'bucket' is not supported",
                () -> parse(Map.of("NPC_STORE", "bucket")));
        Files.writeString(tmp.resolve("config.json"), "{\"interval\": \"soon\"}");
        assertMessage("--interval (from " + tmp.resolve("config.json") + "): duration 'soon' is not valid",
                () -> parse());
    }

    @Test
    void activationSettingsHaveTheirDefaultsAndRefuseKeepingNothing() {
        Settings defaults = parse();
        assertEquals(10, defaults.keepGenerations());
        assertFalse(defaults.healthStrict());
        assertEquals(List.of(), defaults.substituterKeys());
        assertEquals("/run/booted-system", defaults.system().bootedSystem().toString());
        assertEquals("systemd-run", defaults.system().systemdRun(), "systemd-run from PATH, like systemctl");
        Settings set = parse("--substituter-key", "cache-1:AAAA", "--keep-generations", "3", "--health-strict",
                "--booted-system", "/booted", "--systemctl", "/nix/store/x-systemd/bin/systemctl");
        assertEquals(3, set.keepGenerations());
        assertTrue(set.healthStrict());
        assertEquals(List.of("cache-1:AAAA"), set.substituterKeys());
        assertEquals(Path.of("/booted"), set.system().bootedSystem());
        assertEquals("/nix/store/x-systemd/bin/systemd-run", set.system().systemdRun(),
                "systemd-run from the same systemd as systemctl");
        assertMessage("--keep-generations: must be 1 or more", () -> parse("--keep-generations", "0"));
    }

    @Test
    void healthTcpTakesHostAndPortAndBracketedIpv6() {
        assertEquals(List.of(new HostPort("127.0.0.1", 5432), new HostPort("db.internal", 80), new HostPort("::1", 22)),
                parse("--health-tcp", "127.0.0.1:5432", "--health-tcp", "db.internal:80", "--health-tcp", "[::1]:22")
                        .healthTcp());
        assertEquals("[::1]:22", new HostPort("::1", 22).toString());
        assertMessage("--health-tcp: '::1:22': an IPv6 address goes in brackets", () -> parse("--health-tcp", "::1:22"));
        assertMessage("--health-tcp: 'db:0': the port must be a number from 1 to 65535",
                () -> parse("--health-tcp", "db:0"));
        assertMessage("--health-tcp: ':80' names no host", () -> parse("--health-tcp", ":80"));
    }

    @Test
    void aWindowAndARebootPolicyAreParsedOnceAndRefusedWithTheFix() {
        Settings s = parse("--window", "Mon..Fri 22:00-23:30 Europe/Berlin", "--reboot", "allowed");
        assertEquals("Mon..Fri 22:00-23:30 Europe/Berlin", s.window().toString());
        assertEquals(dev.npc.host.RebootPolicy.ALLOWED, s.reboot());
        Settings defaults = parse();
        assertEquals(null, defaults.window(), "no window: any time");
        assertEquals(dev.npc.host.RebootPolicy.NEVER, defaults.reboot());
        assertMessage("--window: maintenance window 'Sat 2:00-4:00' is not valid; write e.g. 'Sat 02:00-04:00 UTC'",
                () -> parse("--window", "Sat 2:00-4:00"));
        assertMessage("--window: maintenance window 'Sat 02:00-04:00 Mars/Olympus': time zone 'Mars/Olympus' is not"
                + " in this host's time zone database", () -> parse("--window", "Sat 02:00-04:00 Mars/Olympus"));
        assertMessage("--reboot: reboot 'always' is not one of never, allowed", () -> parse("--reboot", "always"));
    }

    @Test
    void anUnreadableConfigFileSaysWhichFileAndWhatToDo() throws Exception {
        StateDir dir = new StateDir(tmp);
        Files.writeString(dir.config(), "{ nope");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> parse());
        assertTrue(e.getMessage().startsWith(dir.config() + " is not valid"), e.getMessage());
        assertTrue(e.getMessage().endsWith("run npc-daemon install again"), e.getMessage());

        Files.writeString(dir.config(), "{\"interval\": [\"5m\"]}");
        e = assertThrows(IllegalStateException.class, () -> parse());
        assertEquals(dir.config() + " is not valid: 'interval' is a list, where one value belongs; fix it or run"
                + " npc-daemon install again", e.getMessage());
    }

    @Test
    void everySettingHasAFlagAndTheListIsTheOneTheModuleIsHeldAgainst() {
        List<String> flags = Settings.flags();
        assertEquals(33, flags.size(), flags.toString());
        assertTrue(flags.containsAll(List.of("--store", "--health-tcp", "--retry-backoff", "--booted-system")), flags.toString());
        assertFalse(flags.contains("--state-dir"), "shared by every command, not a setting of follow");
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
