package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.trust.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * terraform/modules/host as Terraform renders it (`terraform console` on locals.tf and
 * variables.tf, see TerraformConsole): the host's IAM policy, its IAM names, the nixpkgs reference
 * derived from the fleet's flake.lock, the validations that refuse what would only fail on the
 * host, and the user-data in both formats, checked with shellcheck and `cloud-init schema`,
 * unpacked to the same bytes, and run far enough to see the script start.
 */
class HostModuleTest {
    private static final String BUCKET_ARN = "arn:aws:s3:::fleet-bucket";
    private static final String OBJECTS = BUCKET_ARN + "/fleet/";
    private static final String KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private static final int EC2_USER_DATA_LIMIT = 16384;
    /** The settings the bootstrap README's table fixes between the user-data and bootstrap/npc-bootstrap.sh. */
    private static final List<String> RENDERED = List.of("NPC_STORE", "NPC_HOST", "NPC_REGION", "NPC_ENDPOINT_URL",
            "NPC_REMOTE_KEYS", "NPC_NIXPKGS", "NPC_ALLOWED_REMOTES", "NPC_SUBSTITUTERS", "NPC_SUBSTITUTER_KEYS",
            "NPC_SWAP_MIB", "NPC_SWAP_BELOW_MIB");

    @TempDir
    Path work;

    private TerraformConsole console() {
        return TerraformConsole.of("terraform/modules/host", work.resolve("module-" + System.nanoTime()));
    }

    private static Map<String, Object> host(String name, Object... more) throws IOException {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("host", name);
        vars.put("bucket_name", "fleet-bucket");
        vars.put("remote", "prod");
        vars.put("fleet_flake_lock", Files.readString(Checkout.file("flake.lock")));
        for (int i = 0; i < more.length; i += 2) {
            vars.put((String) more[i], more[i + 1]);
        }
        return vars;
    }

    // --- desired.json ---------------------------------------------------------------------------

    @Test
    void aMaintenanceWindowAndARebootPolicyGoToDesiredJsonOnlyWhenSet() throws IOException {
        TerraformConsole console = console();
        JsonNode desired = console.json(host("db-1", "window", "Sat 02:00-04:00 UTC", "reboot", "allowed"),
                "local.desired");
        assertEquals("Sat 02:00-04:00 UTC", desired.get("window").asText());
        assertEquals("allowed", desired.get("reboot").asText());
        JsonNode plain = console.json(host("web-1"), "local.desired");
        assertFalse(plain.has("window") || plain.has("reboot"), "null: the host's own settings: " + plain);

        String badWindow = console.failure(host("db-1", "window", "Sat 2:00-4:00"), "local.desired");
        assertTrue(badWindow.contains("window must be days (Mon, Sat,Sun, Mon..Fri), then HH:MM-HH:MM"),
                badWindow);
        String badReboot = console.failure(host("db-1", "reboot", "always"), "local.desired");
        assertTrue(badReboot.contains("reboot must be \"never\", \"allowed\" or null"), badReboot);
    }

    // The module's validation accepts exactly the texts of the one window grammar (npc-core
    // MaintenanceWindowTest and NixosModuleTest run the same table); rows marked zoneUnknown pass
    // here and are refused by the daemon, which alone knows its time-zone database.
    @Test
    void theWindowValidationAcceptsExactlyTheTextsOfTheSharedGrammar() throws IOException {
        JsonNode table = Json.mapper().readTree(Checkout.file("npc-core/src/test/resources/dev/npc/time/windows.json")
                .toFile()).get("windows");
        List<String> texts = new java.util.ArrayList<>();
        table.forEach(row -> texts.add(row.get("text").asText()));
        JsonNode accepted = console().json(host("web-1"),
                "[for t in " + Json.writeString(texts).replace("\n", " ") + " : can(regex(local.window_grammar, t))]");

        List<String> wrong = new java.util.ArrayList<>();
        for (int i = 0; i < table.size(); i++) {
            boolean valid = table.get(i).get("valid").asBoolean();
            if (accepted.get(i).asBoolean() != valid) {
                wrong.add("'" + texts.get(i) + "' " + (valid ? "refused" : "accepted"));
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(table.size(), accepted.size());
    }

    // --- IAM ------------------------------------------------------------------------------------

    @Test
    void aHostReadsOnlyTheRemotesItMayFollowAndOnlyItsOwnDocuments() throws IOException {
        JsonNode statements = console().json(host("web-1", "allowed_remotes", List.of("prod-canary"), "kms_key_arn", KMS_KEY),
                "local.host_statements");
        IamPolicy policy = IamPolicy.parse("web-1", statements);

        for (String key : List.of("remotes/prod.npc", "remotes/prod-canary.npc", "hosts/web-1/desired.json")) {
            assertTrue(policy.allows(request("s3:GetObject", OBJECTS + key)), "web-1 cannot read " + key);
        }
        for (String key : List.of("hosts/web-1/state.json", "history/web-1/20261122T100000.000Z-rolled-back.json")) {
            assertTrue(policy.allows(request("s3:PutObject", OBJECTS + key)), "web-1 cannot write " + key);
        }
        // Another remote, another host (also one whose name starts with web-1), anything else.
        for (String key : List.of("remotes/staging.npc", "remotes/prod-canary-2.npc", "remotes-history/prod/x.npc",
                "hosts/web-10/desired.json", "hosts/web-2/desired.json", "hosts/web-1/state.json", "hosts/web-1x/desired.json")) {
            assertFalse(policy.allows(request("s3:GetObject", OBJECTS + key)), "web-1 reads " + key);
        }
        for (String key : List.of("remotes/prod.npc", "hosts/web-1/desired.json", "hosts/web-10/state.json",
                "history/web-10/20261122T100000.000Z-success.json", "history/web-1x/a.json", "history/web-1",
                "hosts/web-1/history/20261122T100000.000Z-success.json", "hosts/web-1x/state.json")) {
            assertFalse(policy.allows(request("s3:PutObject", OBJECTS + key)), "web-1 writes " + key);
        }
        assertFalse(policy.allows(new IamPolicy.Request("s3:ListBucket", BUCKET_ARN, Map.of())), "a host lists the bucket");
        assertFalse(policy.allows(request("s3:DeleteObject", OBJECTS + "hosts/web-1/state.json")));

        Map<String, String> viaS3 = Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", BUCKET_ARN);
        assertTrue(policy.allows(new IamPolicy.Request("kms:Decrypt", KMS_KEY, viaS3)));
        assertTrue(policy.allows(new IamPolicy.Request("kms:GenerateDataKey", KMS_KEY, viaS3)));
        assertFalse(policy.allows(new IamPolicy.Request("kms:Decrypt", KMS_KEY, Map.of())), "the key outside S3");
        assertFalse(policy.allows(new IamPolicy.Request("kms:Decrypt", KMS_KEY, Map.of("kms:ViaService", "s3.eu-west-1.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::another-bucket"))), "the key for another bucket");

        JsonNode withoutKms = console().json(host("web-1"), "local.host_statements");
        assertEquals(3, withoutKms.size());
        assertEquals(List.of(OBJECTS + "remotes/prod.npc"), texts(withoutKms.get(0).path("resources")),
                "by default a host reads only the remote its desired.json names");
    }

    @Test
    void iamNamesAreScopedToTheStoreAndNeverLongerThanIamAllows() throws IOException {
        TerraformConsole console = console();
        String web1 = console.string(host("web-1"), "local.iam_name");
        String otherBucket = console.string(host("web-1", "bucket_name", "other-fleet"), "local.iam_name");
        String otherPrefix = console.string(host("web-1", "prefix", "staging"), "local.iam_name");
        assertTrue(web1.matches("npc-[0-9a-f]{8}-web-1"), web1);
        assertNotEquals(web1, otherBucket, "two fleets in one account");
        assertNotEquals(web1, otherPrefix, "two stores in one bucket");

        String longA = "a".repeat(60) + "-xyz";
        String longB = "a".repeat(60) + "-xyw";
        String nameA = console.string(host(longA.substring(0, 63)), "local.iam_name");
        String nameB = console.string(host(longB.substring(0, 62) + "q"), "local.iam_name");
        assertTrue(nameA.length() <= 64 && nameB.length() <= 64, nameA + " " + nameB);
        assertTrue(nameA.matches("[A-Za-z0-9+=,.@_-]+"), nameA);
        assertNotEquals(nameA, nameB, "two long names that share their first 55 characters");

        assertEquals("ops-web-1", console.string(host("web-1", "name_prefix", "ops-"), "local.iam_name"));
        String failure = console.failure(host("web-1", "name_prefix", "x".repeat(33)), "local.iam_name");
        assertTrue(failure.contains("name_prefix must be 1-32 characters"), failure);
    }

    @Test
    void aKmsAliasIsRefusedBecauseItDoesNotAuthoriseTheKey() throws IOException {
        String alias = "arn:aws:kms:eu-west-1:123456789012:alias/npc-store";
        String failure = console().failure(host("web-1", "kms_key_arn", alias), "local.host_statements");
        assertTrue(failure.contains("kms_key_arn is an alias ARN; IAM grants on an alias do not authorise the key"), failure);
        String notAKey = console().failure(host("web-1", "kms_key_arn", "arn:aws:s3:::fleet-bucket"), "local.host_statements");
        assertTrue(notAKey.contains("kms_key_arn must be a KMS key ARN"), notAKey);
        String multiRegion = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";
        assertEquals(multiRegion, console().json(host("web-1", "kms_key_arn", multiRegion), "local.host_statements")
                .get(3).path("resources").get(0).asText());

        TerraformConsole store = TerraformConsole.of("terraform/modules/store", work.resolve("store"));
        String storeFailure = store.failure(Map.of("bucket_name", "fleet-bucket", "kms_key_arn", alias), "var.kms_key_arn");
        assertTrue(storeFailure.contains("kms_key_arn is an alias ARN"), storeFailure);
    }

    // --- nixpkgs --------------------------------------------------------------------------------

    @Test
    void theBootstrapsNixpkgsIsTheOneTheFleetFlakeLocks() throws IOException {
        JsonNode lock = Json.mapper().readTree(Files.readString(Checkout.file("flake.lock")));
        String node = lock.path("nodes").path(lock.path("root").asText()).path("inputs").path("nixpkgs").asText();
        JsonNode locked = lock.path("nodes").path(node).path("locked");
        assertEquals("github", locked.path("type").asText(), "the example fleet's nixpkgs is a github input");
        String expected = "github:" + locked.path("owner").asText() + "/" + locked.path("repo").asText() + "/"
                + locked.path("rev").asText() + "?narHash=" + locked.path("narHash").asText();

        String derived = console().string(host("web-1"), "local.nixpkgs");

        assertEquals(expected, derived);
        assertTrue(derived.matches("github:NixOS/nixpkgs/[0-9a-f]{40}\\?narHash=sha256-[A-Za-z0-9+/]{43}="), derived);
        // The same checks the bootstrap makes before it uses the reference (its README: revision and narHash).
        assertTrue(Pattern.compile("(/|[?&]rev=)[0-9a-f]{40}([/?&]|$)").matcher(derived).find(), derived);
        assertTrue(Pattern.compile("[?&]narHash=sha256-[A-Za-z0-9+/]{43}(=|%3D)(&|$)").matcher(derived).find(), derived);

        String explicit = "github:NixOS/nixpkgs/" + "0".repeat(40) + "?narHash=sha256-" + "A".repeat(43) + "=";
        assertEquals(explicit, console().string(host("web-1", "nixpkgs", explicit), "local.nixpkgs"), "an explicit reference wins");
    }

    @Test
    void aLockTheBootstrapCannotPinFromIsRefusedWithTheReason() throws IOException {
        String root = "{\"nodes\": {\"root\": {\"inputs\": {\"nixpkgs\": %s}}%s}, \"root\": \"root\", \"version\": 7}";
        String gitNode = ", \"nixpkgs\": {\"locked\": {\"type\": \"git\", \"url\": \"https://example.org/nixpkgs.git\", \"rev\": \""
                + "a".repeat(40) + "\", \"narHash\": \"sha256-" + "B".repeat(43) + "=\"}}";
        Map<String, String> refusals = Map.of(
                root.formatted("\"nixpkgs\"", gitNode), "not locked as a github, gitlab or sourcehut input",
                root.formatted("[\"npc\", \"nixpkgs\"]", ""), "no nixpkgs input of its own",
                "{\"nodes\": {\"root\": {}}, \"root\": \"root\", \"version\": 7}", "no nixpkgs input of its own",
                "not json", "must be the text of a flake.lock",
                root.formatted("\"nixpkgs\"", gitNode.replace("\"git\"", "\"github\"").replace("\"rev\": \"" + "a".repeat(40), "\"owner\": \"NixOS\", \"repo\": \"nixpkgs\", \"rev\": \"main")),
                "has no 40-hex rev");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String failure = console().failure(host("web-1", "fleet_flake_lock", refusal.getKey()), "local.nixpkgs");
            assertTrue(failure.contains(refusal.getValue()), refusal.getKey() + " -> " + failure);
        }
        String unlocked = console().failure(host("web-1", "nixpkgs", "github:NixOS/nixpkgs/nixos-25.05"), "local.nixpkgs");
        assertTrue(unlocked.contains("nixpkgs must be a locked flake reference with a 40-hex revision and a narHash"), unlocked);
    }

    @Test
    void remoteSigningKeysAreNpcPublicKeysAndNeedThePinnedNixpkgs() throws IOException {
        String key = publicLine("ci");
        String second = publicLine("release");
        KeyFiles.readTrustedKey(key); // the line npc itself accepts

        String userData = console().string(host("web-1", "remote_signing_keys", List.of(key, second)), "local.user_data_plain");
        assertEquals(key + " " + second, exports(userData).get("NPC_REMOTE_KEYS"));

        String malformed = console().failure(host("web-1", "remote_signing_keys", List.of("npc-ed25519-public:AAAA")), "local.user_data_plain");
        assertTrue(malformed.contains("Every remote_signing_keys entry must be one line npc-ed25519-public:"), malformed);
        Map<String, Object> noLock = host("web-1", "remote_signing_keys", List.of(key));
        noLock.put("fleet_flake_lock", null);
        String unpinned = console().failure(noLock, "local.user_data_plain");
        assertTrue(unpinned.contains("remote_signing_keys needs the fleet's pinned nixpkgs"), unpinned);
    }

    // --- user-data ------------------------------------------------------------------------------

    @Test
    void scriptUserDataExportsTheContractSettingsThenTheBootstrapUnchanged() throws IOException {
        Map<String, Object> vars = host("web-1", "allowed_remotes", List.of("prod-canary", "prod"), "region", "eu-central-1",
                "endpoint_url", "https://s3.example.org", "substituters", List.of("https://cache.example.org", "https://cache.nixos.org"),
                "substituter_keys", List.of("cache.example.org-1:AAAA=", "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="),
                "swap_mib", 1024, "swap_below_mib", 4096);
        TerraformConsole console = console();
        // The bootstrap is larger than EC2's 16 KiB: user_data is a short #! wrapper around its
        // compressed form, user_data_plain the script as it runs.
        String shipped = console.string(vars, "local.user_data");
        String userData = console.string(vars, "local.user_data_plain");
        String nixpkgs = console.string(vars, "local.nixpkgs");

        assertTrue(shipped.startsWith("#!/run/current-system/sw/bin/bash\n"), "amazon-init runs user-data as a script only when it starts with #!");
        assertTrue(userData.startsWith("#!/run/current-system/sw/bin/bash\n"));
        Map<String, String> exported = exports(userData);
        assertEquals(RENDERED, List.copyOf(exported.keySet()), "the settings, in the order the template has them");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("NPC_STORE", "s3://fleet-bucket/fleet");
        expected.put("NPC_HOST", "web-1");
        expected.put("NPC_REGION", "eu-central-1");
        expected.put("NPC_ENDPOINT_URL", "https://s3.example.org");
        expected.put("NPC_REMOTE_KEYS", "");
        expected.put("NPC_NIXPKGS", nixpkgs);
        expected.put("NPC_ALLOWED_REMOTES", "prod prod-canary");
        expected.put("NPC_SUBSTITUTERS", "https://cache.example.org https://cache.nixos.org");
        expected.put("NPC_SUBSTITUTER_KEYS", "cache.example.org-1:AAAA= cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=");
        expected.put("NPC_SWAP_MIB", "1024");
        expected.put("NPC_SWAP_BELOW_MIB", "4096");
        assertEquals(expected, exported);
        String script = Files.readString(Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh"));
        assertTrue(userData.endsWith("\n\n" + script), "the bootstrap script follows the settings byte for byte");
        assertTrue(bytes(shipped) <= EC2_USER_DATA_LIMIT);
        assertEquals(bytes(shipped), console.json(vars, "local.user_data_bytes").asInt(), "the module's byte count");

        Path file = Files.writeString(work.resolve("user-data.sh"), shipped);
        Tools.runOk(List.of(Tools.require("shellcheck").toString(), file.toString()), Map.of(), work);
        assertStartsAndFindsNothingToDo(file);
    }

    @Test
    void aBootstrapOverEc2sLimitTravelsCompressedAndUnpacksToTheSameBytes() throws IOException {
        String script = Files.readString(Checkout.file("terraform/modules/host/bootstrap/npc-bootstrap.sh"));
        // A script of a size the bootstrap may grow to: what matters is that it no longer fits.
        StringBuilder large = new StringBuilder(script);
        for (int i = 0; large.length() < 3 * EC2_USER_DATA_LIMIT; i++) {
            large.append("# padding line ").append(i).append(": the bootstrap grew past EC2's user-data limit\n");
        }
        TerraformConsole console = console().withFile("bootstrap/npc-bootstrap.sh", large.toString());
        Map<String, Object> vars = host("web-1");
        String plain = console.string(vars, "local.user_data_plain");
        String userData = console.string(vars, "local.user_data");

        assertTrue(bytes(plain) > EC2_USER_DATA_LIMIT);
        assertTrue(bytes(userData) <= EC2_USER_DATA_LIMIT, "compressed: " + bytes(userData));
        assertTrue(userData.startsWith("#!/run/current-system/sw/bin/bash\n"));
        Path wrapper = Files.writeString(work.resolve("user-data.sh"), userData);
        Tools.runOk(List.of(Tools.require("shellcheck").toString(), wrapper.toString()), Map.of(), work);

        // Unpacked by the wrapper itself, with a stand-in for the bash it hands over to.
        Path unpackDir = work.resolve("run/npc-bootstrap");
        Path copy = work.resolve("handed-over.sh");
        Path standIn = Files.writeString(work.resolve("bash-stand-in"), "#!/bin/sh\ncp \"$1\" " + copy + "\n");
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessResult unpacked = Tools.run(List.of(Tools.require("bash").toString(), wrapper.toString()),
                Map.of("NPC_USER_DATA_DIR", unpackDir.toString(), "NPC_BASH", standIn.toString()), work);
        assertTrue(unpacked.ok(), unpacked.toString());
        assertArrayEquals(plain.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(copy), "the script it runs is the plain user-data");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(unpackDir.resolve("user-data.sh"))));
        assertEquals(List.of("user-data.sh"), list(unpackDir), "no leftovers beside the script");

        ProcessResult run = Tools.run(List.of(Tools.require("bash").toString(), wrapper.toString()),
                Map.of("NPC_USER_DATA_DIR", work.resolve("run2").toString(), "NPC_BASH", Tools.require("bash").toString(),
                        "NPC_MARKER", marker().toString(), "NPC_CONSOLE", work.resolve("console").toString()), work);
        assertTrue(run.ok() && run.printed("nothing to do"), run.toString());
    }

    @Test
    void cloudInitUserDataPassesCloudInitsSchemaAndCarriesTheSameScript() throws Exception {
        Path cloudInit = Tools.require("cloud-init");
        Map<String, Object> vars = host("web-1", "bootstrap_format", "cloud-init");
        TerraformConsole console = console();
        String userData = console.string(vars, "local.user_data");
        String plain = console.string(vars, "local.user_data_plain");

        assertTrue(userData.startsWith("#cloud-config\n"), userData);
        assertTrue(bytes(userData) <= EC2_USER_DATA_LIMIT);
        Path file = Files.writeString(work.resolve("user-data.yaml"), userData);
        String schema = Tools.runOk(List.of(cloudInit.toString(), "schema", "--config-file", file.toString()), Map.of(), work);
        assertTrue(schema.contains("Valid cloud-config"), schema);

        // Read with the YAML library cloud-init itself uses.
        Path python = Tools.require("python3");
        String parsed = Tools.runOk(List.of(python.toString(), "-c",
                "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.toString()), Map.of(), work);
        JsonNode config = Json.mapper().readTree(parsed.substring(parsed.indexOf('{')));
        List<String> keys = new java.util.ArrayList<>();
        config.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("write_files"), keys, "nothing else in the cloud-config");
        JsonNode script = config.path("write_files").get(0);
        assertEquals(1, config.path("write_files").size());
        assertEquals("/var/lib/cloud/scripts/per-boot/npc-bootstrap.sh", script.path("path").asText(),
                "cloud-init runs per-boot scripts at every boot, as amazon-init runs user-data");
        assertEquals("0700", script.path("permissions").asText());
        assertEquals("root:root", script.path("owner").asText());
        assertEquals("gz+b64", script.path("encoding").asText());
        byte[] content = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(script.path("content").asText()))).readAllBytes();
        assertArrayEquals(plain.getBytes(StandardCharsets.UTF_8), content, "the same bytes as the #! user-data");
        assertEquals(plain, console.string(host("web-1"), "local.user_data_plain"), "and the same as bootstrap_format = script renders");

        Path extracted = Files.write(work.resolve("npc-bootstrap.sh"), content);
        Tools.runOk(List.of(Tools.require("shellcheck").toString(), extracted.toString()), Map.of(), work);
        assertStartsAndFindsNothingToDo(extracted);

        Path broken = Files.writeString(work.resolve("broken.yaml"), userData.replace("encoding", "encodin"));
        ProcessResult refused = Tools.run(List.of(cloudInit.toString(), "schema", "--config-file", broken.toString()), Map.of(), work);
        assertNotEquals(0, refused.exitCode(), "the schema check is a real check: " + refused);
    }

    @Test
    void aFormatOtherThanScriptOrCloudInitIsRefused() throws IOException {
        String failure = console().failure(host("web-1", "bootstrap_format", "mime"), "local.user_data");
        assertTrue(failure.contains("bootstrap_format must be \"script\" or \"cloud-init\""), failure);
    }

    /** Runs the script as the first thing amazon-init or cloud-init would, on a host bootstrapped before. */
    private void assertStartsAndFindsNothingToDo(Path script) throws IOException {
        ProcessResult run = Tools.run(List.of(Tools.require("bash").toString(), script.toString()),
                Map.of("NPC_MARKER", marker().toString(), "NPC_CONSOLE", work.resolve("console").toString(),
                        // The compressed form's wrapper: where it unpacks the script, and which bash runs it.
                        "NPC_USER_DATA_DIR", work.resolve("user-data").toString(),
                        "NPC_BASH", Tools.require("bash").toString()), work);
        assertTrue(run.ok(), run.toString());
        assertTrue(run.printed("nothing to do"), run.toString());
    }

    private Path marker() throws IOException {
        Path marker = work.resolve("state/done");
        Files.createDirectories(marker.getParent());
        return Files.writeString(marker, "2026-11-22T10:00:00Z i-0123456789abcdef0 web-1\n");
    }

    /** The {@code export NPC_X='value'} lines, in order. */
    private static Map<String, String> exports(String userData) {
        Map<String, String> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^export (NPC_[A-Z_]+)='([^']*)'$").matcher(userData);
        while (m.find()) {
            values.put(m.group(1), m.group(2));
        }
        return values;
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static IamPolicy.Request request(String action, String arn) {
        return new IamPolicy.Request(action, arn, Map.of());
    }

    private static List<String> texts(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private String publicLine(String name) throws IOException {
        KeyFiles.generate(work.resolve(name + ".key"), work.resolve(name + ".pub"));
        return Files.readAllLines(work.resolve(name + ".pub")).stream().filter(l -> l.startsWith(KeyFiles.PUBLIC_PREFIX))
                .findFirst().orElseThrow();
    }

    private static List<String> list(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
