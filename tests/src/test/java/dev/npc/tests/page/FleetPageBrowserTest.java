package dev.npc.tests.page;

import dev.npc.host.HostState;
import dev.npc.host.Result;
import dev.npc.json.Json;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.StateBuilder;
import dev.npc.tests.cli.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet page in a real browser (Debian's chromium, headless), as a person sees it: loaded from
 * a file:// URL as npc status --html writes it and from npc status --serve, for a seeded fleet with
 * a failed, a rolled-back (with a hostile error), a stale, a paused and two up-to-date hosts and a
 * stopped rollout. Screenshots go to target/fleet-page.png (laptop) and target/fleet-page-phone.png.
 */
class FleetPageBrowserTest {
    static final Path TARGET = Path.of(System.getProperty("npc.repo.root", "..")).resolve("tests/target").toAbsolutePath().normalize();
    /** What the page must show first: the problems, in npc status's order, then the rest. */
    static final List<String> ORDER = List.of("db-1", "canary-1", "web-2", "db-2", "web-1", "web-3");
    static final List<String> LABELS = List.of("failed", "rolled back", "stale", "paused", "up to date", "up to date");

    @TempDir
    static Path tmp;
    static Store store;
    static SeededFleet fleet;
    static ChromeDriver browser;

    @BeforeAll
    static void seedAndStartTheBrowser() throws Exception {
        browser = Browser.start(tmp.resolve("profile"), 1280, 900);
        store = Stores.open(tmp.resolve("store").toUri().toString(), StoreOptions.DEFAULT);
        fleet = SeededFleet.seed(store, tmp);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void theWrittenPageShowsProblemsFirstTheHostileTextAsTextAndAHostsHistoryOnClick() throws Exception {
        Path page = tmp.resolve("fleet.html");
        CliRun run = CliRun.npc("status", "--html", page.toString(), "--store", store.url());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("wrote the fleet page (6 hosts) to " + page), run::toString);

        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(page.toUri().toString());
        assertWhatAPersonSees();

        WebElement history = browser.findElement(By.id("history-canary-1"));
        assertFalse(history.isDisplayed(), "a host's history is shown only when the host is selected");
        browser.findElement(By.linkText("canary-1")).click();
        assertTrue(history.isDisplayed(), "selecting canary-1 shows its history");
        List<WebElement> timeline = history.findElements(By.cssSelector("ol.timeline > li"));
        assertEquals(2, timeline.size(), history.getText());
        assertTrue(timeline.get(0).getText().contains("rolled back") && timeline.get(0).getText().contains("version "
                + fleet.newVersion.substring(0, 8)) && timeline.get(0).getText().contains("<script>"), timeline.get(0).getText());
        assertTrue(timeline.get(1).getText().contains("success") && timeline.get(1).getText().contains(fleet.oldVersion.substring(0, 8)),
                timeline.get(1).getText());
        assertFalse(browser.findElement(By.id("history-db-1")).isDisplayed(), "only the selected host's history opens");
        screenshot(TARGET.resolve("fleet-page.png"));

        browser.findElement(By.linkText("Close the history of canary-1")).click();
        assertFalse(history.isDisplayed(), "closing hides the history again");

        // A phone: one column of labelled cells, nothing wider than the screen.
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        assertEquals(Boolean.TRUE, browser.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"),
                "the page fits a phone's width: " + browser.executeScript("return document.documentElement.scrollWidth + ' > ' + window.innerWidth"));
        assertEquals("block", browser.findElement(By.cssSelector("tr.host td[data-label='Status']")).getCssValue("display"),
                "cells stack on a phone");
        screenshot(TARGET.resolve("fleet-page-phone.png"));
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    @Test
    void theServedPageIsTheSameReReadFromTheStoreAndStopsCleanly() throws Exception {
        ServedPage served = ServedPage.start(store.url(), "200ms");
        try {
            URI url = served.url;
            browser.get(url.toString());
            assertWhatAPersonSees();

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode());
            assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), answer.headers().toString());
            String policy = answer.headers().firstValue("Content-Security-Policy").orElse("");
            assertTrue(policy.startsWith("default-src 'none'; style-src 'sha256-") && policy.contains("frame-ancestors 'none'"), policy);
            assertEquals(404, HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/other")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());

            // A person opens canary-1's history, then web-2 reports again: the page goes on reloading
            // itself (no reload by the test), shows web-2 re-read from the store, and keeps the history open.
            click(By.linkText("canary-1"));
            assertEquals(Boolean.TRUE, shown("history-canary-1"), "selecting canary-1 shows its history");
            HostState back = StateBuilder.host("web-2").at(Instant.now()).desired("prod", fleet.oldVersion)
                    .running("prod", fleet.oldVersion).attempted(fleet.oldVersion, Result.SUCCESS).build();
            store.put(Layout.state("web-2"), Json.write(back), Map.of());
            Map<String, Object> reloaded = readWhen("""
                    const history = document.getElementById('history-canary-1');
                    return document.getElementById('host-web-2')?.dataset.status === 'up-to-date'
                        ? {history: history !== null && getComputedStyle(history).display !== 'none'} : null;""",
                    "the served page, with a host's history open, reloads itself and shows web-2 re-read from the store");
            assertEquals(Boolean.TRUE, reloaded.get("history"), "canary-1's history stays open across the page's reloads");

            // Closed again: the history is hidden, and the page still reloads itself.
            click(By.linkText("Close the history of canary-1"));
            Object closedAt = browser.executeScript("return performance.timeOrigin");
            Map<String, Object> later = readWhen("""
                    const history = document.getElementById('history-canary-1');
                    return performance.timeOrigin !== arguments[0]
                        ? {history: history !== null && getComputedStyle(history).display !== 'none'} : null;""",
                    "the served page reloads itself after a host's history was closed", closedAt);
            assertEquals(Boolean.FALSE, later.get("history"), "a closed history stays closed across reloads");
        } finally {
            served.stop();
            HostState stale = StateBuilder.host("web-2").at(Instant.now().minus(Duration.ofHours(2))).desired("prod", fleet.oldVersion)
                    .running("prod", fleet.oldVersion).attempted(fleet.oldVersion, Result.SUCCESS).build();
            store.put(Layout.state("web-2"), Json.write(stale), Map.of());
        }
        assertFalse(served.running(), "npc status --serve stops when interrupted");
        assertEquals(0, served.exitCode(), served::toString);
        assertTrue(served.out().contains("stopped serving the fleet page"), served::toString);
    }

    /** A click as a person makes it; a reload between finding the element and clicking it finds it again. */
    private static void click(By what) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).until(driver -> {
                    driver.findElement(what).click();
                    return true;
                });
    }

    /** Whether the element is shown, read in one script (null: no such element). */
    private static Object shown(String id) {
        return browser.executeScript("const e = document.getElementById(arguments[0]);"
                + " return e === null ? null : getComputedStyle(e).display !== 'none'", id);
    }

    /** What {@code script} returns once it returns something: read again at each reload until it does. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> readWhen(String script, String what, Object... arguments) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(JavascriptException.class).withMessage(what)
                .until(driver -> (Map<String, Object>) browser.executeScript(script, arguments));
    }

    /**
     * Problem rows first with their labels, the hostile error as text, the rollout and the remotes,
     * as one document shows them: the served page reloads itself every second, which replaces every
     * element, so the page is read in one script (a script runs within one document) rather than
     * element by element, where a reload in between left an element stale.
     */
    private static void assertWhatAPersonSees() {
        Seen seen = Seen.read();
        assertTrue(seen.title().startsWith("npc fleet: 6 hosts, 1 failed, 1 rolled back, 1 stale"), seen.title());
        assertEquals(ORDER, seen.hosts());
        for (int i = 0; i < seen.statuses().size(); i++) {
            String shown = seen.statuses().get(i);
            assertTrue(shown.endsWith(LABELS.get(i)), ORDER.get(i) + " shows its status as words, not only as colour: " + shown);
        }

        String detail = seen.canaryDetail();
        assertTrue(detail.contains("<script>document.title='pwned';window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"),
                "the hostile error is shown as the text it is: " + detail);
        assertTrue(detail.contains("\\x1b[2J") && detail.contains("\\u202egnp.exe\\u202c"),
                "control and bidi characters are shown visibly, not acted on: " + detail);
        assertEquals(0L, seen.scripts(), "no script element reached the page");
        assertEquals(0L, seen.images(), "no element from the bucket reached the page");
        assertEquals(Boolean.TRUE, seen.noScriptRan(), "no script from the bucket ran");

        String rollout = seen.rollout();
        assertTrue(rollout.contains("stopped") && rollout.contains("from staging"), rollout);
        assertTrue(rollout.matches("(?s).*prod-canary failed canary-1 rolled back on .*<script>.*") && rollout.contains("prod not reached"),
                rollout);

        List<String> remotes = seen.remotes();
        assertEquals(3, remotes.size(), remotes.toString());
        assertTrue(remotes.get(0).startsWith("prod " + fleet.oldVersion.substring(0, 8)) && remotes.get(0).contains("signed by key")
                && remotes.get(0).endsWith(" 3 of 5"), "prod: its version, signed, run by 3 of the 5 hosts that follow it: "
                + remotes.get(0));
        assertTrue(remotes.get(1).startsWith("prod-canary " + fleet.newVersion.substring(0, 8)) && remotes.get(1).endsWith(" 0 of 1"),
                remotes.get(1));
        assertTrue(remotes.get(2).startsWith("staging ") && remotes.get(2).contains("unsigned") && remotes.get(2).endsWith(" 0"),
                remotes.get(2));
    }

    /**
     * What the page shows, read in one script from one document. Texts are innerText, the text as
     * rendered; a table row's cells are joined by a space. A missing element reads as null or an
     * empty list, for the assertion to name.
     */
    private record Seen(String title, List<String> hosts, List<String> statuses, String canaryDetail, long scripts,
                        long images, Boolean noScriptRan, String rollout, List<String> remotes) {
        private static final String READ = """
                const text = element => element ? element.innerText : null;
                const rows = [...document.querySelectorAll('table.hosts > tbody > tr.host')];
                return {
                  title: document.title,
                  hosts: rows.map(row => text(row.querySelector('th'))),
                  statuses: rows.map(row => text(row.querySelector("td[data-label='Status']"))),
                  canaryDetail: text(document.querySelector("#host-canary-1 td[data-label='Detail']")),
                  scripts: document.getElementsByTagName('script').length,
                  images: document.getElementsByTagName('img').length,
                  noScriptRan: window.pwned === undefined,
                  rollout: text(document.querySelector("section[aria-labelledby='rollout']")),
                  remotes: [...document.querySelectorAll('table.remotes > tbody > tr')]
                      .map(row => [...row.cells].map(text).join(' '))
                };""";

        /** A reload may destroy the document while the script is sent to it: then it is sent again, to the new one. */
        @SuppressWarnings("unchecked")
        static Seen read() {
            Map<String, Object> read = new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(JavascriptException.class)
                    .until(driver -> (Map<String, Object>) browser.executeScript(READ));
            return new Seen((String) read.get("title"), (List<String>) read.get("hosts"), (List<String>) read.get("statuses"),
                    (String) read.get("canaryDetail"), (Long) read.get("scripts"), (Long) read.get("images"),
                    (Boolean) read.get("noScriptRan"), (String) read.get("rollout"), (List<String>) read.get("remotes"));
        }
    }

    /** The whole page, not only the window: Chrome's own screenshot of the full layout. */
    @SuppressWarnings("unchecked")
    private static void screenshot(Path file) throws Exception {
        Map<String, Object> metrics = browser.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", ((Number) size.get("width")).doubleValue(),
                "height", ((Number) size.get("height")).doubleValue(), "scale", 1);
        Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }
}
