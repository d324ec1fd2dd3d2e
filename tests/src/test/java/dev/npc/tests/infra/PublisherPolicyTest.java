package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.remote.RemoteMetadata;
import dev.npc.store.Layout;
import dev.npc.store.Store;
import dev.npc.testing.EmbeddedS3;
import dev.npc.testing.TestFlakes;
import dev.npc.tests.cli.CliRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The publisher and admin policies of terraform/modules/publisher, as `terraform console` renders
 * them, against the S3 requests npc really makes: every command the policies are for runs with the
 * real CLI against S3Proxy through a recording proxy, each request is mapped to the IAM action and
 * resource S3 authorises it as, and
 * <ul>
 *   <li>every request must be allowed (a new request, e.g. a HEAD another change adds, fails here
 *       naming the command, the request, the action and the key);</li>
 *   <li>every grant must be used by some request (nothing broader than the commands need);</li>
 *   <li>what neither role may do (write a host's reports; the publisher: change what a host
 *       follows) is denied.</li>
 * </ul>
 * S3Proxy does not enforce IAM; this evaluates the policy the way IAM does for the operators the
 * module uses (IamPolicy). What it cannot prove is that AWS agrees; the module README says how
 * to check in an account.
 */
class PublisherPolicyTest {
    private static final String BUCKET = EmbeddedS3.DEFAULT_BUCKET;
    private static final String BUCKET_ARN = "arn:aws:s3:::" + BUCKET;
    private static final String PREFIX = "fleet";
    private static final String KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static EmbeddedS3 s3;
    private static S3Recorder recorder;
    private static Store store;
    /** Each command run, by role, with the calls it made. */
    private static final List<Run> runs = new ArrayList<>();
    @TempDir
    static Path tmp;

    private record Run(String role, String command, List<S3Recorder.Call> calls) { }

    @BeforeAll
    static void runEveryCommandThroughTheRecorder() throws Exception {
        s3 = EmbeddedS3.start();
        recorder = S3Recorder.start(s3.endpoint());
        store = s3.open(PREFIX);
        System.setProperty("aws.accessKeyId", EmbeddedS3.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", EmbeddedS3.SECRET_KEY);
        System.setProperty("aws.region", EmbeddedS3.REGION);

        Path flake = TestFlakes.minimal(tmp.resolve("flake"));
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        assertEquals(0, CliRun.npc("keys", "generate", "--private", keys.resolve("ci.key").toString(),
                "--public", keys.resolve("ci.pub").toString()).exitCode());
        String sign = keys.resolve("ci.key").toString();
        admin("hosts set canary-1", "hosts", "set", "canary-1", "--remote", "prod-canary");
        admin("hosts set web-1", "hosts", "set", "web-1", "--remote", "prod");
        admin("hosts set web-2", "hosts", "set", "web-2", "--remote", "prod");

        // A first push (a remote that does not exist yet), then enough pushes of new content that
        // the history of prod-canary is pruned (npc keeps the newest 10).
        for (int i = 0; i <= 11; i++) {
            TestFlakes.write(flake, "version.txt", "release " + i + "\n");
            publisher(i == 0 ? "push (new remote)" : "push", "push", "--src", flake.toString(), "--remote", "prod-canary", "--sign-key", sign);
        }
        publisher("push (unchanged)", "push", "--src", flake.toString(), "--remote", "prod-canary", "--sign-key", sign);
        String canaryVersion = version("prod-canary");
        publisher("remotes", "remotes");
        publisher("pull", "pull", "--remote", "prod-canary", "--dst", tmp.resolve("pulled").toString());
        publisher("verify", "verify", "--remote", "prod-canary", "--trusted-key", keys.resolve("ci.pub").toString());

        report("canary-1", "prod-canary", canaryVersion);
        publisher("status", "status");
        publisher("wait", "wait", "--remote", "prod-canary", "--timeout", "20s", "--every", "100ms");
        publisher("promote (new remote)", "promote", "prod-canary", "prod", "--sign-key", sign);
        report("web-1", "prod", canaryVersion);
        report("web-2", "prod", canaryVersion);
        publisher("rollout", "rollout", "--from", "prod-canary", "--through", "prod", "--timeout", "20s", "--every", "100ms",
                "--sign-key", sign);
        // watch reads what status reads, and the record the rollout just wrote.
        publisher("watch", "watch", "--once", "--on-change", "true", "--state", tmp.resolve("watch.json").toString());

        TestFlakes.write(flake, "version.txt", "release 12\n");
        publisher("push", "push", "--src", flake.toString(), "--remote", "prod-canary", "--sign-key", sign);
        publisher("promote", "promote", "prod-canary", "prod", "--sign-key", sign);
        publisher("rollback", "rollback", "prod", "--sign-key", sign);
        publisher("hosts list", "hosts", "list");

        // A host's history records, as its daemon writes them; then an admin removes hosts.
        store.put(Layout.history("web-2", "20261122T100000.000Z", "success"), "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        store.put(Layout.history("web-2", "20261122T110000.000Z", "failed"), "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        // And one where an older npc kept them: --purge removes those too.
        store.put(Layout.legacyHistoryPrefix("web-2") + "20261101T100000.000Z-success.json", "{}".getBytes(StandardCharsets.UTF_8), Map.of());
        // The fleet page: the fleet, the last rollout and the hosts' history, written to status/index.html.
        publisher("status --publish", "status", "--publish");
        admin("hosts rm --purge", "hosts", "rm", "web-2", "--purge");
        assertEquals(List.of(), store.list(Layout.historyPrefix("web-2")), "--purge removes the history records");
        assertEquals(List.of(), store.list(Layout.legacyHistoryPrefix("web-2")), "and those an older npc left");
        admin("hosts rm", "hosts", "rm", "canary-1");
    }

    @AfterAll
    static void stop() {
        store.close();
        recorder.close();
        s3.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        System.clearProperty("aws.region");
    }

    private static void publisher(String label, String... args) {
        run("publisher", label, args);
    }

    private static void admin(String label, String... args) {
        run("admin", label, args);
    }

    private static void run(String role, String label, String... args) {
        recorder.clear();
        recorder.label(label);
        CliRun run = CliRun.npcWith(List.of("--store", "s3://" + BUCKET + "/" + PREFIX, "--endpoint-url", recorder.endpointUrl()), args);
        assertEquals(0, run.exitCode(), () -> "npc " + String.join(" ", args) + ": " + run);
        List<S3Recorder.Call> calls = recorder.calls();
        assertFalse(calls.isEmpty(), "npc " + label + " made no S3 request through the recorder");
        runs.add(new Run(role, label, calls));
    }

    private static String version(String remote) throws IOException {
        return store.head(Layout.remote(remote)).orElseThrow().meta(RemoteMetadata.SHA256);
    }

    /** state.json as a daemon writes it after activating {@code version} (the documented schema). */
    private static void report(String host, String remote, String version) throws IOException {
        String now = Instant.now().toString();
        String json = """
                {"host": "%1$s", "daemonVersion": "0.1.0", "updatedAt": "%4$s", "phase": "idle",
                 "desired": {"remote": "%2$s", "configuration": "%1$s", "sha256": "%3$s", "error": null},
                 "current": {"remote": "%2$s", "sha256": "%3$s", "configuration": "%1$s",
                             "system": "/nix/store/0000000000000000000000000000000a-nixos-system-%1$s", "activatedAt": "%4$s"},
                 "lastAttempt": {"sha256": "%3$s", "result": "success", "attempt": 1, "startedAt": "%4$s",
                                 "finishedAt": "%4$s", "error": null, "logTail": null},
                 "paused": null, "pollIntervalSeconds": 60}
                """.formatted(host, remote, version, now);
        store.put(Layout.state(host), json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static Map<String, IamPolicy> policies(Map<String, Object> variables) {
        TerraformConsole console = TerraformConsole.of("terraform/modules/publisher", tmp.resolve("console-" + System.nanoTime()));
        JsonNode rendered = console.json(variables, "{ publisher = local.publisher_statements, admin = local.admin_statements }");
        return Map.of("publisher", IamPolicy.parse("publisher", rendered.get("publisher")),
                "admin", IamPolicy.parse("admin", rendered.get("admin")));
    }

    private static Map<String, Object> variables(Object kmsKey, boolean unprefixedList) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("bucket_arn", BUCKET_ARN);
        vars.put("prefix", PREFIX);
        vars.put("kms_key_arn", kmsKey);
        vars.put("allow_unprefixed_list", unprefixedList);
        return vars;
    }

    /** The roles whose policy must allow what a command of {@code role} does: an admin does what a publisher does. */
    private static List<String> rolesFor(String role) {
        return role.equals("publisher") ? List.of("publisher", "admin") : List.of("admin");
    }

    @Test
    void everyRequestOfEveryCommandIsAllowedAndEveryGrantIsUsed() {
        Map<String, IamPolicy> policies = policies(variables(null, true));
        Set<String> denied = new LinkedHashSet<>();
        Map<String, Set<String>> used = new LinkedHashMap<>();
        for (Run run : runs) {
            for (S3Recorder.Call call : run.calls()) {
                for (IamPolicy.Request request : iamRequests(call)) {
                    for (String role : rolesFor(run.role())) {
                        IamPolicy policy = policies.get(role);
                        if (!policy.allows(request)) {
                            denied.add("npc " + run.command() + " (" + role + "): " + call + " needs " + request
                                    + (call.status() == 404 && request.action().equals("s3:ListBucket")
                                    ? " (S3 answers 404 for a missing key only to a caller allowed to list without a prefix; else 403)" : ""));
                        }
                        for (IamPolicy.Statement statement : policy.statements()) {
                            if (statement.allows(request.action(), request.resource(), request.context())) {
                                used.computeIfAbsent(role, r -> new TreeSet<>()).addAll(grantsUsed(statement, request));
                            }
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), denied, "requests the policies do not allow");

        for (String role : List.of("publisher", "admin")) {
            Set<String> unused = new TreeSet<>(grants(policies.get(role)));
            unused.removeAll(used.getOrDefault(role, Set.of()));
            assertEquals(Set.of(), unused, role + " policy grants that no command used (broader than needed)");
        }
    }

    @Test
    void thePublisherCannotChangeWhatHostsFollowAndNeitherRoleWritesAHostsReports() {
        Map<String, IamPolicy> policies = policies(variables(null, true));
        IamPolicy publisher = policies.get("publisher");
        IamPolicy admin = policies.get("admin");
        for (Run run : runs) {
            if (run.role().equals("admin")) {
                boolean anyDenied = run.calls().stream().flatMap(c -> iamRequests(c).stream()).anyMatch(r -> !publisher.allows(r));
                assertTrue(anyDenied, "the publisher policy allows everything npc " + run.command() + " does");
            }
        }
        String objects = BUCKET_ARN + "/" + PREFIX + "/";
        List<IamPolicy.Request> neither = List.of(
                object("s3:PutObject", objects + "hosts/web-1/state.json"),
                object("s3:PutObject", objects + "hosts/web-1/history/20261122T100000.000Z-success.json"),
                object("s3:GetObject", objects + "hosts/web-1/history/20261122T100000.000Z-success.json"),
                object("s3:PutObject", objects + "history/web-1/20261122T100000.000Z-success.json"),
                object("s3:DeleteObject", objects + "remotes/prod.npc"),
                object("s3:PutObject", objects + "remotes/prod.json"),
                object("s3:PutObject", objects + "other/thing"),
                object("s3:PutObject", objects + "status/other.html"),
                object("s3:DeleteObject", objects + "status/index.html"),
                object("s3:GetObject", BUCKET_ARN + "/other/remotes/prod.npc"),
                object("s3:GetObject", BUCKET_ARN + "/fleetx/remotes/prod.npc"),
                object("s3:GetObject", "arn:aws:s3:::another-bucket/fleet/remotes/prod.npc"),
                list("fleet/"), list(""), list("other/"), list("fleet/remotes-history/"),
                new IamPolicy.Request("s3:PutBucketPolicy", BUCKET_ARN, Map.of()),
                new IamPolicy.Request("s3:ListBucketVersions", BUCKET_ARN, Map.of()));
        for (IamPolicy.Request request : neither) {
            assertFalse(publisher.allows(request), "publisher may " + request);
            assertFalse(admin.allows(request), "admin may " + request);
        }
        for (IamPolicy.Request request : List.of(object("s3:PutObject", objects + "hosts/web-1/desired.json"),
                object("s3:DeleteObject", objects + "hosts/web-1/desired.json"),
                object("s3:DeleteObject", objects + "hosts/web-1/state.json"), list("fleet/hosts/web-1/history/"),
                object("s3:DeleteObject", objects + "history/web-1/20261122T100000.000Z-success.json"))) {
            assertFalse(publisher.allows(request), "publisher may " + request);
            assertTrue(admin.allows(request), "admin may not " + request);
        }
    }

    @Test
    void bothRolesMayReadTheHostsHistoryForTheFleetPageButNotWriteIt() {
        String objects = BUCKET_ARN + "/" + PREFIX + "/";
        for (IamPolicy policy : policies(variables(null, true)).values()) {
            assertTrue(policy.allows(object("s3:GetObject", objects + "history/web-1/20261122T100000.000Z-success.json")),
                    policy.name());
            assertTrue(policy.allows(list("fleet/history/web-1/")), policy.name());
            assertFalse(policy.allows(object("s3:PutObject", objects + "history/web-1/20261122T100000.000Z-success.json")),
                    policy.name());
        }
    }

    @Test
    void withoutTheUnprefixedListingAMissingObjectIsExactlyWhatFails() {
        Map<String, IamPolicy> strict = policies(variables(null, false));
        Set<String> denied = new TreeSet<>();
        for (Run run : runs) {
            for (S3Recorder.Call call : run.calls()) {
                for (IamPolicy.Request request : iamRequests(call)) {
                    if (!strict.get("admin").allows(request)) {
                        assertEquals(404, call.status(), "npc " + run.command() + ": " + call + " is denied for another reason: " + request);
                        denied.add(run.command());
                    }
                }
            }
        }
        // The first push of a remote, the first promote to one, and a host without a report.
        assertTrue(denied.containsAll(List.of("push (new remote)", "promote (new remote)")), denied.toString());
        assertFalse(strict.get("admin").allows(list("")), "no listing without a prefix");
        assertTrue(strict.get("admin").allows(list("fleet/remotes/")));
    }

    @Test
    void theStoreKeyIsUsableOnlyThroughS3ForThisBucket() {
        for (IamPolicy policy : policies(variables(KMS_KEY, true)).values()) {
            Map<String, String> viaS3 = Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn", BUCKET_ARN);
            for (String action : List.of("kms:Decrypt", "kms:GenerateDataKey")) {
                assertTrue(policy.allows(new IamPolicy.Request(action, KMS_KEY, viaS3)), policy.name() + " " + action);
                assertTrue(policy.allows(new IamPolicy.Request(action, KMS_KEY, Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn", BUCKET_ARN + "/fleet/remotes/prod.npc"))), "without S3 Bucket Keys");
                assertFalse(policy.allows(new IamPolicy.Request(action, KMS_KEY, Map.of())), "called directly");
                assertFalse(policy.allows(new IamPolicy.Request(action, KMS_KEY, Map.of("kms:ViaService", "ssm.eu-west-1.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn", BUCKET_ARN))), "through another service");
                assertFalse(policy.allows(new IamPolicy.Request(action, KMS_KEY, Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::another-bucket"))), "for another bucket");
            }
            assertFalse(policy.allows(new IamPolicy.Request("kms:Decrypt", KMS_KEY.replace("1234abcd", "99999999"), Map.of(
                    "kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", BUCKET_ARN))), "another key");
        }
        for (IamPolicy policy : policies(variables(null, true)).values()) {
            assertTrue(policy.statements().stream().noneMatch(s -> s.actions().stream().anyMatch(a -> a.startsWith("kms:"))),
                    "no KMS grant without a key");
        }
    }

    @Test
    void anAliasArnIsRefusedWithAMessageThatSaysWhy() {
        TerraformConsole console = TerraformConsole.of("terraform/modules/publisher", tmp.resolve("console-alias"));
        String failure = console.failure(variables("arn:aws:kms:eu-west-1:123456789012:alias/npc-store", true), "local.publisher_statements");
        assertTrue(failure.contains("kms_key_arn is an alias ARN; IAM grants on an alias do not authorise the key"), failure);
    }

    /** What S3 authorises a request as (the S3 docs' table of actions per operation). */
    static List<IamPolicy.Request> iamRequests(S3Recorder.Call call) {
        String target = call.target();
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        Map<String, String> query = new LinkedHashMap<>();
        if (target.contains("?")) {
            for (String pair : target.substring(target.indexOf('?') + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        String bucketAndKey = decode(path.substring(1));
        int slash = bucketAndKey.indexOf('/');
        String bucket = slash < 0 ? bucketAndKey : bucketAndKey.substring(0, slash);
        String key = slash < 0 ? "" : bucketAndKey.substring(slash + 1);
        String bucketArn = "arn:aws:s3:::" + bucket;
        List<IamPolicy.Request> requests = new ArrayList<>();
        Set<String> subresources = new LinkedHashSet<>(query.keySet());
        subresources.removeAll(Set.of("list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after",
                "encoding-type", "fetch-owner", "x-id", "versionId"));
        if (!subresources.isEmpty()) {
            throw new AssertionError("npc " + call.label() + ": " + call + " uses " + subresources
                    + ", which this test does not map to IAM actions yet; add the mapping and the grant");
        }
        if (key.isEmpty()) {
            if (call.method().equals("GET") || call.method().equals("HEAD")) {
                Map<String, String> context = new LinkedHashMap<>();
                if (query.containsKey("prefix")) {
                    context.put("s3:prefix", query.get("prefix"));
                }
                if (query.containsKey("delimiter")) {
                    context.put("s3:delimiter", query.get("delimiter"));
                }
                requests.add(new IamPolicy.Request("s3:ListBucket", bucketArn, context));
                return requests;
            }
            throw new AssertionError("npc " + call.label() + ": " + call + " is a bucket operation this test does not map");
        }
        String objectArn = bucketArn + "/" + key;
        switch (call.method()) {
            case "GET", "HEAD" -> {
                requests.add(new IamPolicy.Request("s3:GetObject", objectArn, Map.of()));
                if (call.status() == 404) {
                    // The missing-key answer: 404 only when s3:ListBucket is allowed (checked without a prefix).
                    requests.add(new IamPolicy.Request("s3:ListBucket", bucketArn, Map.of()));
                }
            }
            case "PUT" -> {
                if (call.copySource() != null) {
                    String source = decode(call.copySource().replaceFirst("^/", "").replaceFirst("\\?versionId=.*$", ""));
                    requests.add(new IamPolicy.Request("s3:GetObject", "arn:aws:s3:::" + source, Map.of()));
                }
                requests.add(new IamPolicy.Request("s3:PutObject", objectArn, Map.of()));
            }
            case "DELETE" -> requests.add(new IamPolicy.Request("s3:DeleteObject", objectArn, Map.of()));
            default -> throw new AssertionError("npc " + call.label() + ": " + call + " is an operation this test does not map");
        }
        return requests;
    }

    /** Every (statement, action, resource[, s3:prefix value]) a policy grants. */
    private static Set<String> grants(IamPolicy policy) {
        Set<String> all = new TreeSet<>();
        for (IamPolicy.Statement s : policy.statements()) {
            if (s.actions().stream().anyMatch(a -> a.startsWith("kms:"))) {
                continue; // S3Proxy has no KMS: theStoreKeyIsUsableOnlyThroughS3ForThisBucket covers these
            }
            for (String action : s.actions()) {
                for (String resource : s.resources()) {
                    List<String> prefixes = prefixValues(s);
                    if (prefixes.isEmpty()) {
                        all.add(s.sid() + ": " + action + " on " + resource);
                    }
                    for (String prefix : prefixes) {
                        all.add(s.sid() + ": " + action + " on " + resource + " with s3:prefix like " + prefix);
                    }
                }
            }
        }
        return all;
    }

    private static Set<String> grantsUsed(IamPolicy.Statement s, IamPolicy.Request request) {
        Set<String> used = new TreeSet<>();
        for (String resource : s.resources()) {
            if (!IamPolicy.glob(resource).matcher(request.resource()).matches()) {
                continue;
            }
            List<String> prefixes = prefixValues(s);
            if (prefixes.isEmpty()) {
                used.add(s.sid() + ": " + request.action() + " on " + resource);
            }
            for (String prefix : prefixes) {
                String actual = request.context().get("s3:prefix");
                if (actual != null && IamPolicy.glob(prefix).matcher(actual).matches()) {
                    used.add(s.sid() + ": " + request.action() + " on " + resource + " with s3:prefix like " + prefix);
                }
            }
        }
        return used;
    }

    private static List<String> prefixValues(IamPolicy.Statement s) {
        return s.conditions().stream().filter(c -> c.variable().equals("s3:prefix") && c.test().equals("StringLike"))
                .flatMap(c -> c.values().stream()).toList();
    }

    private static IamPolicy.Request object(String action, String arn) {
        return new IamPolicy.Request(action, arn, Map.of());
    }

    private static IamPolicy.Request list(String prefix) {
        return new IamPolicy.Request("s3:ListBucket", BUCKET_ARN, Map.of("s3:prefix", prefix));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
