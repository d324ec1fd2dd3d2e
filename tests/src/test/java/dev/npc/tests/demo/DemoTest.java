package dev.npc.tests.demo;

import dev.npc.demo.Demo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, run in-process: its story, its output (as the README shows it), and that it cleans up. */
class DemoTest {
    static final Path REPO = Path.of(System.getProperty("npc.repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void theDemoRollsOutCanaryFirstAndStopsABrokenVersionAtTheCanary(@TempDir Path scratch) throws Exception {
        StringWriter buffer = new StringWriter();
        // Its own scratch directory: other processes (another test run, a demo) may use /tmp at the same time.
        int code = Demo.run(new PrintWriter(buffer, true), REPO, scratch);
        String out = buffer.toString();

        assertEquals(0, code, out);
        assertTrue(out.contains("SIMULATED"), "the simulated hosts must be labelled");
        assertTrue(out.contains("(simulated) $ nix --extra-experimental-features 'nix-command flakes' build"
                + " --no-update-lock-file --out-link /var/lib/npc/result --print-out-paths 'path:/var/lib/npc/flakes/"), out);
        assertTrue(out.contains("(simulated) $ nix-env -p /nix/var/nix/profiles/system --set /nix/store/"), out);
        assertTrue(out.contains("(simulated) $ systemd-run -E LOCALE_ARCHIVE -E NIXOS_INSTALL_BOOTLOADER --collect"
                + " --no-ask-password --pipe --quiet --service-type=exec --unit=nixos-rebuild-switch-to-configuration"
                + " --wait /nix/store/"), out);
        assertTrue(out.contains("/bin/switch-to-configuration switch"), out);
        assertTrue(out.contains("(simulated) $ systemctl is-system-running --wait"), out);

        int canaryFirst = out.indexOf("promoted ", out.indexOf("[5/7]"));
        assertTrue(out.substring(canaryFirst).startsWith("promoted") && out.indexOf("to prod-canary", canaryFirst)
                < out.indexOf("to prod\n", canaryFirst), out);
        assertTrue(out.contains("complete: prod-canary -> prod"), out);
        String broken = out.substring(out.indexOf("[6/7]"));
        assertTrue(broken.contains("canary-1 rolled back on"), broken);
        assertTrue(broken.contains("rollout stopped at prod-canary; not touched: prod"), broken);
        assertFalse(broken.substring(0, broken.indexOf("[7/7]")).contains("promoted ") 
                && broken.substring(0, broken.indexOf("[7/7]")).contains("to prod\n"), "prod must not be touched");

        String status = out.substring(out.indexOf("$ npc status"));
        assertTrue(status.matches("(?s).*canary-1\\s+rolled back\\s+prod-canary.*"), status);
        assertTrue(status.matches("(?s).*web-1\\s+up to date\\s+prod .*"), status);
        assertTrue(status.contains("3 hosts, 1 rolled back, 2 up to date"), status);
        // The broken version reached prod-canary only: prod still holds the version before it.
        String[] canary = row(status, "canary-1");
        String[] web = row(status, "web-1");
        assertEquals(canary[4], web[3], "prod must hold what the canary fell back to: " + status);
        assertTrue(!canary[3].equals(web[3]), "prod must not hold the broken version: " + status);
        assertTrue(out.contains("export NPC_STORE=s3://"), "must say how to use a real bucket");
        // It ends with the fleet page, written where it outlives the demo's temporary directory.
        Path page = scratch.resolve("npc-fleet.html");
        List<String> lines = out.strip().lines().toList();
        assertEquals("  " + page.toUri(), lines.get(lines.size() - 1), "the demo ends by printing the page's path");
        String html = Files.readString(page);
        assertTrue(html.matches("(?s).*<tr id=\"host-canary-1\" class=\"host problem\" data-status=\"rolled-back\">.*"), html);
        assertTrue(html.indexOf("id=\"host-canary-1\"") < html.indexOf("id=\"host-web-1\""), "the problem first");
        assertTrue(html.contains("prod-canary <span class=\"st bad\">failed</span>"), "the stopped rollout's wave");
        String history = html.substring(html.indexOf("<tr id=\"history-canary-1\""));
        history = history.substring(0, history.indexOf("</tr>"));
        assertTrue(history.contains("<ol class=\"timeline\"") && history.contains(">rolled back</span>")
                && history.contains(">success</span>"), "the canary's history, newest first: " + history);
        DemoOutput.assertSameShape(DemoOutput.readmeBlock(Files.readString(REPO.resolve("README.md"))), out);

        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("npc-daemon-")),
                "no daemon thread may be left running");
        assertEquals(List.of(), demoTempDirs(scratch), "the demo must delete its temporary directory");
    }

    /**
     * The cells of a status row, split on runs of spaces (the status "rolled back" spans two). Rows
     * are indented by two spaces; a daemon still logging (four spaces, then its host) is not a row.
     */
    private static String[] row(String status, String host) {
        String line = status.lines().filter(l -> l.startsWith("  " + host + " ")).findFirst().orElseThrow();
        return line.strip().replace("rolled back", "rolled-back").replace("up to date", "up-to-date").split("\\s+");
    }

    private static List<Path> demoTempDirs(Path scratch) throws Exception {
        try (Stream<Path> entries = Files.list(scratch)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("npc-demo-")).sorted().toList();
        }
    }
}
