package dev.npc.daemon.config;

import dev.npc.daemon.files.StateDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    @TempDir
    Path tmp;

    private static DaemonConfig store(String url) {
        return DaemonConfig.EMPTY.overlay(DaemonConfig.fromEnvironment(Map.of("NPC_STORE", url)));
    }

    @Test
    void defaultsAreThoseOfTheIssue() {
        Settings s = Settings.resolve(new StateDir(tmp), store("file:///x"), "web-9");
        assertEquals("web-9", s.host());
        assertEquals(Duration.ofSeconds(60), s.interval());
        assertEquals(0.2, s.jitter());
        assertEquals("switch", s.action());
        assertEquals(2, s.retries());
        assertEquals("nix", s.system().nix());
        assertEquals("systemctl", s.system().systemctl());
        assertEquals(Path.of("/run/current-system"), s.system().currentSystem());
        assertEquals(Path.of("/nix/var/nix/profiles/system"), s.system().systemProfile());
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheConfigFile() throws Exception {
        StateDir dir = new StateDir(tmp);
        ConfigFile.write(dir.config(), new DaemonConfig("file:///from-file", null, null, "file-host", null, "5m",
                null, null, null, null, null, null, null, null, null, null, 4, null, null, null, null, null, null,
                null, null));
        DaemonConfig flags = DaemonConfig.EMPTY.overlay(new DaemonConfig(null, null, null, "flag-host", null, null,
                null, List.of(), null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null));

        Settings s = SettingsLoader.load(dir, flags, Map.of("NPC_STORE", "file:///from-env"), "machine");

        assertEquals("file:///from-env", s.store());
        assertEquals("flag-host", s.host());
        assertEquals(Duration.ofMinutes(5), s.interval());
        assertEquals(4, s.retries());
    }

    @Test
    void nixBinIsADirectoryOrTheNixBinary() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.writeString(bin.resolve("nix"), "");
        assertEquals(bin.resolve("nix-env").toString(), SystemCommands.of(bin.toString(), null, null, null).nixEnv());
        assertEquals(bin.resolve("nix-store").toString(),
                SystemCommands.of(bin.resolve("nix").toString(), null, null, null).nixStore());
    }

    @Test
    void badSettingsAreRefusedWithOneLineNamingTheFlag() {
        StateDir dir = new StateDir(tmp);
        assertMessage("no store configured; give --store", () -> Settings.resolve(dir, DaemonConfig.EMPTY, "h"));
        assertMessage("host name 'bad/name' is not valid", () -> Settings.resolve(dir, store("file:///x"), "bad/name"));
        assertMessage("--action 'reboot' is not one of switch, boot, test", () -> Settings.resolve(dir,
                store("file:///x").overlay(new DaemonConfig(null, null, null, null, null, null, "reboot", null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)),
                "h"));
        assertMessage("--health-url 'ftp://x' is not an http(s) URL", () -> Settings.resolve(dir,
                store("file:///x").overlay(new DaemonConfig(null, null, null, null, null, null, null, null,
                        List.of("ftp://x"), null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null)), "h"));
        assertMessage("--retries must be 0 or more", () -> Settings.resolve(dir,
                store("file:///x").overlay(new DaemonConfig(null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null, null, -1, null, null, null, null, null, null, null, null)), "h"));
        assertMessage("--trusted-key: trusted key file key does not exist; create a pair with npc keys generate", () -> Settings.resolve(dir,
                store("file:///x").overlay(new DaemonConfig(null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        List.of("key"))), "h"));
    }

    @Test
    void activationSettingsHaveTheirDefaultsAndRefuseKeepingNothing() {
        StateDir dir = new StateDir(tmp);
        Settings defaults = Settings.resolve(dir, store("file:///x"), "h");
        assertEquals(10, defaults.keepGenerations());
        assertFalse(defaults.healthStrict());
        assertEquals(List.of(), defaults.substituterKeys());
        assertEquals("/run/booted-system", defaults.system().bootedSystem().toString());
        assertEquals("systemd-run", defaults.system().systemdRun(), "systemd-run from PATH, like systemctl");
        Settings set = Settings.resolve(dir, store("file:///x").overlay(DaemonConfig.EMPTY.withActivation(
                List.of("cache-1:AAAA"), 3, true, "/booted")).overlay(new DaemonConfig(null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                "/nix/store/x-systemd/bin/systemctl", null, null, null, null)), "h");
        assertEquals(3, set.keepGenerations());
        assertTrue(set.healthStrict());
        assertEquals(List.of("cache-1:AAAA"), set.substituterKeys());
        assertEquals("/nix/store/x-systemd/bin/systemd-run", set.system().systemdRun(),
                "systemd-run from the same systemd as systemctl");
        assertMessage("--keep-generations must be 1 or more", () -> Settings.resolve(dir,
                store("file:///x").overlay(DaemonConfig.EMPTY.withActivation(null, 0, null, null)), "h"));
    }

    @Test
    void anUnreadableConfigFileSaysWhichFileAndWhatToDo() throws Exception {
        StateDir dir = new StateDir(tmp);
        Files.writeString(dir.config(), "{ nope");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SettingsLoader.load(dir, DaemonConfig.EMPTY, Map.of(), "h"));
        assertTrue(e.getMessage().startsWith(dir.config() + " is not valid"), e.getMessage());
        assertTrue(e.getMessage().endsWith("run npc-daemon install again"), e.getMessage());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
