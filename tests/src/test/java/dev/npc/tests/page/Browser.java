package dev.npc.tests.page;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver (packages chromium and
 * chromium-driver; .ci/run installs them). Nothing is downloaded: Selenium Manager is never asked,
 * as both paths are given. A test skips, saying why, where either is missing.
 */
final class Browser {
    static final Path CHROMIUM = Path.of(System.getProperty("npc.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("npc.chromedriver", "/usr/bin/chromedriver"));

    private Browser() { }

    /** A fresh browser with its own profile in {@code profile}, the window {@code width} x {@code height}. */
    static ChromeDriver start(Path profile, int width, int height) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER),
                CHROMEDRIVER + " is missing: install Debian's chromium-driver (.ci/run does)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=" + Files.createDirectories(profile), "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
