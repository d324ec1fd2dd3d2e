package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.digest.Sha256;
import dev.npc.host.Desired;
import dev.npc.host.HostName;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.remote.RemoteName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every .tf file parsed by HashiCorp's own HCL parser (@cdktf/hcl2json), and the documents that
 * matter asserted from the parse: descriptions, validation, the host's IAM policy, the bucket's
 * protection, the desired.json fields. No provider schema or AWS account is involved, so a
 * `terraform validate` / `plan` is still the user's to run (terraform/README.md).
 */
class TerraformFilesTest {
    private static final String BUCKET_ARN = "arn:aws:s3:::fleet-bucket";
    private static final String KEY_PREFIX = "fleet/";
    private static Map<String, JsonNode> parsed;

    @TempDir
    Path work;

    @BeforeAll
    static void parseEveryTerraformFile(@TempDir Path out) throws IOException {
        Path parser = Tools.requireHcl2json();
        List<String> command = new ArrayList<>(List.of("node", parser.toString(), "--out", out.resolve("parsed.json").toString()));
        for (Path file : Checkout.filesEndingWith("terraform", ".tf")) {
            command.add(Checkout.root().relativize(file).toString());
        }
        Tools.runOk(command, Map.of(), Checkout.root());
        parsed = new LinkedHashMap<>();
        Json.mapper().readTree(Files.readString(out.resolve("parsed.json"))).properties()
                .forEach(e -> parsed.put(e.getKey(), e.getValue()));
    }

    private static TerraformModule module(String dir) {
        return new TerraformModule(dir, parsed);
    }

    @Test
    void everyModuleHasTheRegistryLayoutAndParses() {
        for (String dir : List.of("terraform/modules/store", "terraform/modules/host", "terraform/modules/remote",
                "terraform/examples/fleet")) {
            for (String file : List.of("main.tf", "variables.tf", "outputs.tf", "versions.tf")) {
                assertTrue(parsed.containsKey(dir + "/" + file), dir + "/" + file + " missing or not parsed");
            }
            assertTrue(Files.isRegularFile(Checkout.file(dir + "/README.md")), dir + "/README.md missing");
        }
        assertEquals(Checkout.filesEndingWith("terraform", ".tf").size(), parsed.size());
    }

    @Test
    void theParserRejectsAFileThatIsNotHcl() throws IOException {
        Path broken = Files.writeString(work.resolve("broken.tf"), "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n");

        ProcessResult result = Tools.run(List.of("node", Tools.requireHcl2json().toString(), broken.toString()), Map.of(), work);

        assertNotEquals(0, result.exitCode());
        assertTrue(result.output().contains("does not parse as HCL"), result.output());
    }

    @Test
    void everyVariableAndOutputIsDescribedAndEveryVariableTyped() {
        int variables = 0;
        for (String dir : List.of("terraform/modules/store", "terraform/modules/host", "terraform/modules/remote",
                "terraform/examples/fleet")) {
            TerraformModule module = module(dir);
            for (String kind : List.of("variable", "output")) {
                var names = module.all(kind).fieldNames();
                while (names.hasNext()) {
                    String name = names.next();
                    JsonNode body = module.all(kind).get(name).get(0);
                    assertFalse(body.path("description").asText().isBlank(), dir + ": " + kind + " " + name + " has no description");
                    if (kind.equals("variable")) {
                        assertTrue(body.has("type"), dir + ": variable " + name + " has no type");
                        variables++;
                    }
                }
            }
        }
        assertTrue(variables > 40, "expected the modules' variables, found " + variables);
    }

    @Test
    void valuesThatWouldOnlyFailOnTheHostAreValidatedAtPlan() {
        Map<String, List<String>> mustValidate = Map.of(
                "terraform/modules/store", List.of("bucket_name", "prefix", "history_hosts", "history_retention_days",
                        "noncurrent_version_retention_days", "kms_key_arn"),
                "terraform/modules/host", List.of("host", "bucket_name", "prefix", "remote", "configuration", "action",
                        "prebuilt", "npc_flake", "substituters", "trusted_public_keys", "swap_mib", "architecture"),
                "terraform/modules/remote", List.of("name", "source_dir", "prefix"));
        mustValidate.forEach((dir, names) -> {
            TerraformModule module = module(dir);
            for (String name : names) {
                JsonNode validation = module.variable(name).path("validation");
                assertTrue(validation.size() > 0, dir + ": variable " + name + " is not validated");
                validation.forEach(v -> assertFalse(v.path("error_message").asText().isBlank(),
                        dir + ": " + name + " validation has no error_message"));
            }
        });
    }

    @Test
    void hostAndRemoteNamesAreValidatedExactlyAsNpcValidatesThem() {
        Pattern host = Pattern.compile(regexIn(module("terraform/modules/host").variable("host"), "var.host"));
        Pattern remote = Pattern.compile(regexIn(module("terraform/modules/host").variable("remote"), "var.remote"));
        for (String name : List.of("web-1", "canary-1", "a", "A.b_c-d", "-web", ".x", "web 1", "web/1", "x".repeat(63),
                "x".repeat(64), "x".repeat(100), "x".repeat(101), "")) {
            assertEquals(accepts(HostName::check, name), host.matcher(name).matches() && !name.contains(".."), "host " + name);
            assertEquals(accepts(RemoteName::check, name), remote.matcher(name).matches(), "remote " + name);
        }
    }

    @Test
    void aHostsPolicyReachesOnlyItsOwnDocumentsAndTheRemotes() {
        TerraformModule host = module("terraform/modules/host");
        JsonNode document = host.data("aws_iam_policy_document", "host");
        Map<String, Set<String>> web1 = grants(document, "web-1");
        Map<String, Set<String>> web10 = grants(document, "web-10");

        assertEquals(Set.of("s3:GetObject", "s3:PutObject"), web1.keySet(), "the S3 actions a host may use");
        assertEquals(Set.of(BUCKET_ARN + "/fleet/remotes/*", BUCKET_ARN + "/fleet/hosts/web-1/desired.json"),
                web1.get("s3:GetObject"));
        assertEquals(Set.of(BUCKET_ARN + "/fleet/hosts/web-1/state.json", BUCKET_ARN + "/fleet/hosts/web-1/history/*"),
                web1.get("s3:PutObject"));

        // What web-1 may do to web-10's documents (a name that shares web-1's prefix): nothing.
        for (String key : List.of("hosts/web-10/desired.json", "hosts/web-10/state.json", "hosts/web-10/history/20261122T100000Z-success.json",
                "hosts/web-2/state.json", "hosts/web-1x/state.json")) {
            for (Set<String> resources : web1.values()) {
                assertFalse(matchesAny(resources, BUCKET_ARN + "/" + KEY_PREFIX + key), "web-1 reaches " + key);
            }
        }
        assertFalse(matchesAny(web1.get("s3:PutObject"), BUCKET_ARN + "/fleet/remotes/prod.npc"), "a host must not write a remote");
        assertFalse(matchesAny(web1.get("s3:PutObject"), BUCKET_ARN + "/fleet/hosts/web-1/desired.json"), "a host must not rewrite its desired.json");
        assertFalse(matchesAny(web1.get("s3:GetObject"), BUCKET_ARN + "/fleet/hosts/web-1/state.json"));
        assertTrue(matchesAny(web1.get("s3:PutObject"), BUCKET_ARN + "/fleet/hosts/web-1/history/20261122T100000Z-rolled-back.json"));
        assertTrue(matchesAny(web10.get("s3:GetObject"), BUCKET_ARN + "/fleet/hosts/web-10/desired.json"));

        // The only other grant: the store's KMS key, when it has one.
        JsonNode kms = document.path("dynamic").path("statement");
        assertEquals(1, kms.size());
        assertEquals(Set.of("kms:Decrypt", "kms:GenerateDataKey"), texts(kms.get(0).path("content").get(0).path("actions")));
        assertEquals(Set.of("${statement.value}"), texts(kms.get(0).path("content").get(0).path("resources")));
        assertEquals("${var.kms_key_arn == null ? [] : [var.kms_key_arn]}", kms.get(0).path("for_each").asText());

        assertEquals("${data.aws_iam_policy_document.host.json}", host.resource("aws_iam_role_policy", "host").path("policy").asText());
        JsonNode trust = host.data("aws_iam_policy_document", "ec2_trust").path("statement").get(0);
        assertEquals(Set.of("sts:AssumeRole"), texts(trust.path("actions")));
        assertEquals(Set.of("ec2.amazonaws.com"), texts(trust.path("principals").get(0).path("identifiers")));
        assertEquals("${aws_iam_instance_profile.host.name}", host.resource("aws_instance", "host").path("iam_instance_profile").asText());
        assertEquals("required", host.resource("aws_instance", "host").path("metadata_options").get(0).path("http_tokens").asText(),
                "the bootstrap uses IMDSv2; v1 stays off");
    }

    @Test
    void desiredJsonCarriesExactlyTheFieldsTheDaemonReads() {
        TerraformModule host = module("terraform/modules/host");
        Set<String> written = new TreeSet<>();
        Matcher field = Pattern.compile("\\n\\s*(\\w+)\\s*=\\s*var\\.(\\w+)").matcher(host.local("desired"));
        while (field.find()) {
            assertEquals(field.group(1), field.group(2), "desired." + field.group(1) + " comes from its own variable");
            written.add(field.group(1));
        }
        Set<String> read = new TreeSet<>();
        for (RecordComponent component : Desired.class.getRecordComponents()) {
            read.add(component.getName());
        }

        assertEquals(read, written);
        assertEquals("${local.key_prefix}hosts/${var.host}/desired.json", host.local("desired_key"));
        JsonNode object = host.resource("aws_s3_object", "desired");
        assertEquals("${local.desired_key}", object.path("key").asText());
        assertEquals("${jsonencode(local.desired)}", object.path("content").asText());
        assertEquals("application/json", object.path("content_type").asText());
    }

    @Test
    void theStoreIsPrivateEncryptedVersionedAndExpiresHistory() {
        TerraformModule store = module("terraform/modules/store");
        JsonNode block = store.resource("aws_s3_bucket_public_access_block", "store");
        for (String flag : List.of("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")) {
            assertTrue(block.path(flag).asBoolean(), flag);
        }
        JsonNode sse = store.resource("aws_s3_bucket_server_side_encryption_configuration", "store")
                .path("rule").get(0).path("apply_server_side_encryption_by_default").get(0);
        assertEquals("${var.kms_key_arn == null ? \"AES256\" : \"aws:kms\"}", sse.path("sse_algorithm").asText());
        assertEquals("Enabled", store.resource("aws_s3_bucket_versioning", "store")
                .path("versioning_configuration").get(0).path("status").asText());
        assertEquals("BucketOwnerEnforced", store.resource("aws_s3_bucket_ownership_controls", "store")
                .path("rule").get(0).path("object_ownership").asText());

        JsonNode lifecycle = store.resource("aws_s3_bucket_lifecycle_configuration", "store");
        JsonNode versions = lifecycle.path("rule").get(0);
        assertEquals("${var.noncurrent_version_retention_days}",
                versions.path("noncurrent_version_expiration").get(0).path("noncurrent_days").asText());
        JsonNode history = lifecycle.path("dynamic").path("rule").get(0);
        assertEquals("${toset(var.history_hosts)}", history.path("for_each").asText());
        JsonNode historyRule = history.path("content").get(0);
        assertEquals("${local.key_prefix}hosts/${rule.value}/history/", historyRule.path("filter").get(0).path("prefix").asText());
        assertEquals("${var.history_retention_days}", historyRule.path("expiration").get(0).path("days").asText());

        JsonNode tls = store.data("aws_iam_policy_document", "tls_only").path("statement").get(0);
        assertEquals("Deny", tls.path("effect").asText());
        assertEquals("aws:SecureTransport", tls.path("condition").get(0).path("variable").asText());
    }

    @Test
    void theRemoteModuleUploadsOnlyChangedContentWithNpcMetadata() {
        TerraformModule remote = module("terraform/modules/remote");
        JsonNode object = remote.resource("aws_s3_object", "remote");

        assertEquals("${local.key_prefix}remotes/${var.name}.npc", object.path("key").asText());
        assertEquals("${local.sha256}", object.path("source_hash").asText(), "the content hash decides re-uploads");
        assertEquals("${local.packed.path}", object.path("source").asText());
        String metadata = object.path("metadata").asText();
        for (String key : List.of("\"npc-format\" = \"1\"", "\"npc-sha256\" = local.sha256", "\"npc-files\"  = local.packed.files",
                "\"npc-source-rev\"")) {
            assertTrue(metadata.contains(key), "metadata lacks " + key + ": " + metadata);
        }
        assertEquals("${path.module}/pack.sh", remote.data("external", "pack").path("program").get(0).asText());
        assertTrue(Files.isExecutable(Checkout.file("terraform/modules/remote/pack.sh")));
    }

    @Test
    void thePackWrapperPassesTheModulesSettingsToNpcPack() throws IOException {
        Tools.require("sh");
        Path args = work.resolve("args");
        Path npc = Files.writeString(work.resolve("npc"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\necho '{}'\n");
        Files.setPosixFilePermissions(npc, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessResult result = Tools.run(List.of(Checkout.file("terraform/modules/remote/pack.sh").toString(), npc.toString(),
                "/src/fleet", work.resolve("out/prod.npc").toString(), "true", "hosts,modules"), Map.of(), work);

        assertTrue(result.ok(), result.output());
        assertEquals(List.of("pack", "--json", "--src", "/src/fleet", "--output", work.resolve("out/prod.npc").toString(),
                "--allow-unlocked", "--include", "hosts", "--include", "modules"), Files.readAllLines(args));
        assertTrue(Files.isDirectory(work.resolve("out")), "the output directory is created");
    }

    @Test
    void theRealNpcPackGivesTheExternalDataSourceAnObjectOfStrings() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(Checkout.file("npc-cli/target/npc-cli.jar")),
                "npc is not built; run ./mvnw -q -DskipTests package");
        Path example = work.resolve("example");
        Nix.copyTree(Checkout.file("nixos/example"), example);
        Path out = work.resolve(".npc/prod-canary.npc");

        ProcessResult result = Tools.run(List.of(Checkout.file("terraform/modules/remote/pack.sh").toString(),
                Checkout.file("bin/npc").toString(), example.toString(), out.toString(), "false", ""), Map.of(), work);

        assertTrue(result.ok(), result.output());
        String output = result.output();
        assertTrue(output.contains("{") && output.contains("}"), "no JSON object on stdout: " + output);
        String json = output.substring(output.indexOf('{'), output.lastIndexOf('}') + 1);
        Map<String, Object> values = Json.mapper().readValue(json,
                new com.fasterxml.jackson.core.type.TypeReference<HashMap<String, Object>>() { });
        values.forEach((k, v) -> assertTrue(v instanceof String, "Terraform's external data source takes strings only; "
                + k + " is " + v.getClass().getSimpleName()));
        assertEquals(Sha256.hex(out), values.get("sha256"));
        assertEquals(out.toString(), values.get("path"));
        assertEquals(Long.toString(Files.size(out)), values.get("bytes"));
        assertTrue(Integer.parseInt((String) values.get("files")) >= 7, json);
    }

    @Test
    void theExampleFleetPutsTheCanaryAndTheWaveOnSeparateRemotes() {
        TerraformModule fleet = module("terraform/examples/fleet");

        assertEquals("prod-canary", fleet.variable("canary_remote").path("default").asText());
        assertEquals("prod", fleet.variable("wave_remote").path("default").asText());
        assertEquals("${var.canary_remote}", fleet.module("canary").path("remote").asText());
        assertEquals("${var.wave_remote}", fleet.module("wave").path("remote").asText());
        assertEquals(Set.of("canary-1"), texts(fleet.variable("canary_hosts").path("default")));
        assertEquals(Set.of("web-1", "web-2"), texts(fleet.variable("wave_hosts").path("default")));
        assertEquals("${concat(var.canary_hosts, var.wave_hosts)}", fleet.module("store").path("history_hosts").asText());
        fleet.all("module").fieldNames().forEachRemaining(name -> {
            String source = fleet.module(name).path("source").asText();
            assertTrue(Files.isRegularFile(Checkout.file("terraform/examples/fleet").resolve(source).resolve("main.tf")),
                    "module " + name + " source " + source + " does not exist");
        });
    }

    @Test
    void theUserDataTemplateGetsEveryValueItUses() throws IOException {
        String call = module("terraform/modules/host").local("user_data_plain");
        assertTrue(call.contains("\"${path.module}/bootstrap/user-data.sh.tftpl\""), call);
        assertTrue(call.contains("file(\"${path.module}/bootstrap/npc-bootstrap.sh\")"), call);
        Path hostDir = Checkout.file("terraform/modules/host");
        assertTrue(Files.isRegularFile(hostDir.resolve("bootstrap/user-data.sh.tftpl").normalize()));

        Set<String> passed = new TreeSet<>();
        Matcher key = Pattern.compile("\\n\\s*(\\w+)\\s*=").matcher(call);
        while (key.find()) {
            passed.add(key.group(1));
        }
        Set<String> used = new TreeSet<>();
        Matcher placeholder = Pattern.compile("(?<!\\$)\\$\\{(\\w+)~?}").matcher(Files.readString(Checkout.file("terraform/modules/host/bootstrap/user-data.sh.tftpl")));
        while (placeholder.find()) {
            used.add(placeholder.group(1));
        }
        assertEquals(used, passed);
    }

    /** action -> resources, with the module's interpolations rendered for one host. */
    private static Map<String, Set<String>> grants(JsonNode document, String hostName) {
        Map<String, Set<String>> byAction = new TreeMap<>();
        for (JsonNode statement : document.path("statement")) {
            assertFalse(statement.has("not_actions") || statement.has("not_resources"), "no Not* statements");
            assertFalse("Deny".equals(statement.path("effect").asText()));
            for (JsonNode action : statement.path("actions")) {
                assertFalse(action.asText().contains("*"), "wildcard action " + action);
                for (JsonNode resource : statement.path("resources")) {
                    String rendered = resource.asText()
                            .replace("${local.object_arn}", BUCKET_ARN)
                            .replace("${local.key_prefix}", KEY_PREFIX)
                            .replace("${var.host}", hostName);
                    assertFalse(rendered.contains("${"), "unexpected interpolation in " + resource);
                    byAction.computeIfAbsent(action.asText(), a -> new TreeSet<>()).add(rendered);
                }
            }
        }
        return byAction;
    }

    /** IAM resource matching: '*' any run of characters, '?' any one. */
    private static boolean matchesAny(Set<String> patterns, String arn) {
        for (String pattern : patterns) {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            if (arn.matches(regex.toString())) {
                return true;
            }
        }
        return false;
    }

    private static String regexIn(JsonNode variable, String reference) {
        String condition = variable.path("validation").get(0).path("condition").asText();
        Matcher m = Pattern.compile("regex\\(\"\\^(.+?)\\$\", " + Pattern.quote(reference) + "\\)").matcher(condition);
        assertTrue(m.find(), "no anchored regex on " + reference + " in " + condition);
        return m.group(1);
    }

    private static boolean accepts(Function<String, String> check, String name) {
        try {
            check.apply(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
