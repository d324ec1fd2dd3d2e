package dev.npc.tests.page;

import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.testing.EmbeddedS3;
import dev.npc.tests.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** npc status --html, --serve and --publish as commands: what they write, and each bad input refused in one line. */
class FleetPageCliTest {
    @TempDir
    Path tmp;

    @Test
    void theWrittenPageIsSelfContainedAndReplacedWhole() throws Exception {
        try (Store store = Stores.open(tmp.resolve("store").toUri().toString(), StoreOptions.DEFAULT)) {
            SeededFleet.seed(store, tmp);
            Path page = tmp.resolve("fleet.html");
            Files.writeString(page, "an older page");
            CliRun run = CliRun.npc("status", "--html", page.toString(), "--store", store.url());
            assertEquals(0, run.exitCode(), run::toString);
            String html = Files.readString(page);
            assertTrue(html.startsWith("<!DOCTYPE html>") && html.endsWith("</html>\n"), html);
            assertFalse(html.contains("<script") || html.contains("<img") || html.contains("<link") || html.contains(" src=\"")
                            || html.contains("http-equiv=\"refresh\""),
                    "no script, nothing loaded from elsewhere, no reload in a written page");
            assertFalse(html.matches("(?s).*(href|src)=\"(https?:)?//.*"), "no link out of the page");
            assertTrue(html.contains("<a href=\"#history-canary-1\">canary-1</a>") && !html.contains("?host="),
                    "a written page opens a history by its fragment alone: no server reads a query");
            assertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"),
                    "the page forbids loads and scripts itself, also from file:// and the bucket");
            assertTrue(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;"), "the hostile error is escaped");
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(),
                        "no temporary file is left");
            }
        }
    }

    @Test
    void badPageOptionsAreRefusedInOneLineAsUsageErrorsAndNothingIsWritten() throws Exception {
        String store = tmp.resolve("store").toUri().toString();
        Files.createDirectories(tmp.resolve("store"));
        CliRun missingDir = CliRun.npc("status", "--html", tmp.resolve("no/such/dir/fleet.html").toString(), "--store", store);
        assertEquals(2, missingDir.exitCode(), missingDir::toString);
        assertTrue(missingDir.err().contains("the directory " + tmp.resolve("no/such/dir") + " does not exist; create it"),
                missingDir::toString);
        assertFalse(Files.exists(tmp.resolve("no")));

        CliRun everyone = CliRun.npc("status", "--serve", "0.0.0.0:0", "--store", store);
        assertEquals(2, everyone.exitCode(), everyone::toString);
        assertTrue(everyone.err().contains("is not a loopback address: the page shows the whole fleet")
                && everyone.err().contains("--serve-beyond-loopback"), everyone::toString);
        assertEquals(1, everyone.err().strip().lines().count(), everyone::toString);

        CliRun port = CliRun.npc("status", "--serve", ":http", "--store", store);
        assertEquals(2, port.exitCode(), port::toString);
        assertTrue(port.err().contains("'http' is not a port (0-65535)"), port::toString);

        CliRun both = CliRun.npc("status", "--json", "--html", tmp.resolve("x.html").toString(), "--store", store);
        assertEquals(2, both.exitCode(), both::toString);
        assertTrue(both.err().contains("give one kind"), both::toString);
        CliRun alone = CliRun.npc("status", "--serve-beyond-loopback", "--store", store);
        assertEquals(2, alone.exitCode(), alone::toString);
        assertTrue(alone.err().contains("--serve-beyond-loopback is for --serve"), alone::toString);
        assertFalse(Files.exists(tmp.resolve("x.html")));
    }

    /**
     * The served page reloads itself to its address without a fragment (a browser would take a
     * refresh to an address with one as a jump within the page, and never reload again), and keeps
     * the host a person selected in the query: the server opens that host's history. Only a host
     * of the page is selected; any other query is served as the page with nothing selected.
     */
    @Test
    void theServedPageOpensTheHostItsQueryNamesAndReloadsWithoutAFragment() throws Exception {
        try (Store store = Stores.open(tmp.resolve("store").toUri().toString(), StoreOptions.DEFAULT)) {
            SeededFleet.seed(store, tmp);
            ServedPage served = ServedPage.start(store.url(), "1h");
            try {
                String page = get(served.url);
                assertTrue(page.contains("<meta http-equiv=\"refresh\" content=\"3600; url=./\">"), page);
                assertTrue(page.contains("<a href=\"./?host=canary-1#history-canary-1\">canary-1</a>")
                        && page.contains("<a href=\"./#host-canary-1\">Close the history of canary-1</a>"), page);
                assertEquals(List.of(), open(page), "no history is open");

                String selected = get(served.url.resolve("/?host=canary-1"));
                assertTrue(selected.contains("<meta http-equiv=\"refresh\" content=\"3600; url=./?host=canary-1\">"), selected);
                assertEquals(List.of("canary-1"), open(selected), "the history of the host the query names is open");
                assertEquals(List.of("db-1"), open(get(served.url.resolve("/index.html?host=db-1"))));

                for (String query : List.of("host=nosuch", "host=%3Cscript%3E", "host=canary-1%00", "host=canary-1&host=db-1",
                        "HOST=canary-1", "host=", "x=1")) {
                    String other = get(URI.create(served.url + "?" + query));
                    assertTrue(other.contains("<meta http-equiv=\"refresh\" content=\"3600; url=./\">") && open(other).isEmpty()
                            && !other.contains("nosuch") && !other.contains("%3C"), query + ": " + other);
                }
            } finally {
                served.stop();
            }
            assertFalse(served.running(), served::toString);
        }
    }

    private static String get(URI url) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), url::toString);
        return answer.body();
    }

    /** The hosts whose history the page shows open. */
    private static List<String> open(String page) {
        return Pattern.compile("<tr id=\"history-([^\"]+)\" class=\"history open\">").matcher(page).results()
                .map(match -> match.group(1)).toList();
    }

    /**
     * As a person stops it: the process gets a signal (SIGTERM here; Ctrl-C's SIGINT takes the same
     * path, the JVM's shutdown hooks), closes the server, says so, and exits.
     */
    @Test
    void theServingProcessStopsCleanlyOnASignal() throws Exception {
        Files.createDirectories(tmp.resolve("store"));
        Process npc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.npc.cli.NpcCli", "status", "--serve", "127.0.0.1:0",
                "--store", tmp.resolve("store").toUri().toString()).redirectErrorStream(true).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(npc.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            java.util.regex.Matcher url = java.util.regex.Pattern.compile("serving the fleet page on (http://127\\.0\\.0\\.1:\\d+/)")
                    .matcher(String.valueOf(first));
            assertTrue(url.find(), first);
            var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url.group(1)))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode());
            assertTrue(answer.body().contains("No hosts in this store yet"), answer.body());
            npc.toHandle().destroy(); // SIGTERM, leaving its output readable (Process.destroy closes it)
            assertTrue(npc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "npc status --serve did not stop");
            assertEquals("stopped serving the fleet page", out.readLine());
            assertEquals(143, npc.exitValue(), "ended by SIGTERM");
        } finally {
            npc.destroyForcibly();
        }
    }

    @Test
    void publishWritesThePageAsHtmlForAWebsiteOrCloudFront() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(); Store store = s3.open("fleet"); S3Client client = s3.newClient()) {
            System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
            System.setProperty("aws.region", EmbeddedS3.REGION);
            try {
                SeededFleet.seed(store, tmp, List.of("--endpoint-url", s3.endpointUrl()));
                CliRun run = CliRun.npc("status", "--publish", "--store", store.url(), "--endpoint-url", s3.endpointUrl());
                assertEquals(0, run.exitCode(), run::toString);
                assertTrue(run.out().contains("published the fleet page (6 hosts) to " + store.url() + "/" + Layout.STATUS_PAGE),
                        run::toString);
                ResponseBytes<GetObjectResponse> page = client.getObjectAsBytes(b -> b.bucket(s3.bucket()).key("fleet/" + Layout.STATUS_PAGE));
                assertEquals("text/html;charset=utf-8", page.response().contentType().replace(" ", ""), "served to browsers as a page");
                String html = page.asString(StandardCharsets.UTF_8);
                assertTrue(html.contains("<title>npc fleet: 6 hosts, 1 failed, 1 rolled back, 1 stale"), html);
                assertFalse(html.contains("http-equiv=\"refresh\""), "a published page does not reload itself");
            } finally {
                System.clearProperty("aws.accessKeyId");
                System.clearProperty("aws.secretAccessKey");
                System.clearProperty("aws.region");
            }
        }
    }
}
