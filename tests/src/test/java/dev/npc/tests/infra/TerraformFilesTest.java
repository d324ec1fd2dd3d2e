package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.digest.Sha256;
import dev.npc.host.Desired;
import dev.npc.host.HostName;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.remote.RemoteName;
import dev.npc.testing.TestCommands;
import dev.npc.testing.TestFlakes;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every .tf file parsed by HashiCorp's own HCL parser (@cdktf/hcl2json), and the documents that
 * matter asserted from the parse: descriptions, validation, the host's IAM policy, the bucket's
 * protection, the desired.json fields. No provider schema or AWS account is involved, so a
 * `terraform validate` / `plan` is still the user's to run (terraform/README.md).
 */
class TerraformFilesTest {
    /** Every module directory, and the example, which is a root module. */
    private static final List<String> MODULES = List.of("terraform/modules/store", "terraform/modules/host",
            "terraform/modules/remote", "terraform/modules/publisher", "terraform/examples/fleet",
            "terraform/examples/status-page");
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
        for (String dir : MODULES) {
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
        assertTrue(result.printed("does not parse as HCL"), result.toString());
    }

    @Test
    void everyVariableAndOutputIsDescribedAndEveryVariableTyped() {
        int variables = 0;
        for (String dir : MODULES) {
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
                        "noncurrent_version_retention_days", "remotes_history_retention_days", "kms_key_arn", "policy_documents",
                        "access_log_bucket", "access_log_prefix"),
                "terraform/modules/host", List.of("host", "bucket_name", "prefix", "remote", "allowed_remotes", "configuration",
                        "action", "prebuilt", "kms_key_arn", "name_prefix", "bootstrap_format", "remote_signing_keys",
                        "fleet_flake_lock", "nixpkgs", "substituters", "substituter_keys", "region", "endpoint_url", "swap_mib",
                        "swap_below_mib", "architecture"),
                "terraform/modules/remote", List.of("name", "source_dir", "bucket_name", "prefix", "includes", "work_dir"),
                "terraform/modules/publisher", List.of("bucket_arn", "prefix", "kms_key_arn"),
                "terraform/examples/fleet", List.of("hosts"));
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
    void theHostsRoleCarriesTheComputedPolicyAndTheInstanceUsesIt() {
        // What the policy allows is checked on Terraform's own rendering in HostModuleTest; here,
        // that the role really carries it and the instance really uses the role.
        TerraformModule host = module("terraform/modules/host");
        JsonNode dynamic = host.data("aws_iam_policy_document", "host").path("dynamic").path("statement").get(0);
        assertEquals("${local.host_statements}", dynamic.path("for_each").asText());
        JsonNode content = dynamic.path("content").get(0);
        assertEquals("${statement.value.actions}", content.path("actions").asText());
        assertEquals("${statement.value.resources}", content.path("resources").asText());
        assertEquals("${statement.value.conditions}", content.path("dynamic").path("condition").get(0).path("for_each").asText());
        assertFalse(host.data("aws_iam_policy_document", "host").has("statement"), "every statement comes from local.host_statements");

        assertEquals("${data.aws_iam_policy_document.host.json}", host.resource("aws_iam_role_policy", "host").path("policy").asText());
        JsonNode trust = host.data("aws_iam_policy_document", "ec2_trust").path("statement").get(0);
        assertEquals(Set.of("sts:AssumeRole"), texts(trust.path("actions")));
        assertEquals(Set.of("ec2.amazonaws.com"), texts(trust.path("principals").get(0).path("identifiers")));
        assertEquals("${local.iam_name}", host.resource("aws_iam_role", "host").path("name").asText());
        assertEquals("${local.iam_name}", host.resource("aws_iam_instance_profile", "host").path("name").asText());
        assertTrue(host.resource("aws_iam_role", "host").path("lifecycle").get(0).path("precondition").get(0)
                .path("condition").asText().contains("length(local.iam_name) <= 64"), "the name's length is checked at plan");
        JsonNode instance = host.resource("aws_instance", "host");
        assertEquals("${aws_iam_instance_profile.host.name}", instance.path("iam_instance_profile").asText());
        assertEquals("${local.user_data}", instance.path("user_data").asText());
        assertEquals("required", instance.path("metadata_options").get(0).path("http_tokens").asText(),
                "the bootstrap uses IMDSv2; v1 stays off");
        assertTrue(instance.path("lifecycle").get(0).path("precondition").get(0).path("condition").asText()
                .contains("local.user_data_bytes <= local.user_data_limit"), "EC2's user-data limit is checked at plan");
    }

    @Test
    void theNixosAmiComesFromTheAccountNixosOrgNamesWithTheSourceCited() throws IOException {
        JsonNode ami = module("terraform/modules/host").data("aws_ami", "nixos");
        assertEquals(Set.of("427812963091"), texts(ami.path("owners")));
        String main = Files.readString(Checkout.file("terraform/modules/host/main.tf"));
        assertTrue(main.contains("github.com/NixOS/nixos-homepage, core/src/lib/downloadAwsCode.js"),
                "the owner id's source is cited next to it");
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
        assertTrue(versions.path("expiration").get(0).path("expired_object_delete_marker").asBoolean(),
                "delete markers with nothing behind them are removed");
        Map<String, JsonNode> dynamicRules = new TreeMap<>();
        lifecycle.path("dynamic").path("rule").forEach(r -> dynamicRules.put(r.path("for_each").asText(), r.path("content").get(0)));
        JsonNode history = null;
        for (JsonNode rule : lifecycle.path("rule")) {
            if (rule.path("id").asText().equals("npc-history")) {
                history = rule;
            }
        }
        assertNotNull(history, "one rule expires every host's records");
        assertEquals("${local.key_prefix}history/", history.path("filter").get(0).path("prefix").asText());
        assertEquals("${var.history_retention_days}", history.path("expiration").get(0).path("days").asText());
        JsonNode legacy = dynamicRules.get("${var.history_hosts}");
        assertEquals("${local.key_prefix}hosts/${rule.value}/history/", legacy.path("filter").get(0).path("prefix").asText(),
                "records an older npc wrote under hosts/<host>/history/ can still expire");
        assertEquals("${var.history_retention_days}", legacy.path("expiration").get(0).path("days").asText());
        JsonNode remotesHistory = dynamicRules.get("${var.remotes_history_retention_days == null ? [] : [var.remotes_history_retention_days]}");
        assertEquals("${local.key_prefix}remotes-history/", remotesHistory.path("filter").get(0).path("prefix").asText(),
                "one rule for every remote's archived versions");
        assertEquals("${rule.value}", remotesHistory.path("expiration").get(0).path("days").asText());

        JsonNode policy = store.data("aws_iam_policy_document", "bucket");
        assertEquals("${var.policy_documents}", policy.path("source_policy_documents").asText(), "callers' statements are merged in");
        JsonNode tls = policy.path("statement").get(0);
        assertEquals("Deny", tls.path("effect").asText());
        assertEquals("aws:SecureTransport", tls.path("condition").get(0).path("variable").asText());
        assertEquals("${data.aws_iam_policy_document.bucket[0].json}", store.resource("aws_s3_bucket_policy", "store").path("policy").asText());

        JsonNode logging = store.resource("aws_s3_bucket_logging", "store");
        assertEquals("${var.create_bucket && var.access_log_bucket != null ? 1 : 0}", logging.path("count").asText());
        assertEquals("${var.access_log_bucket}", logging.path("target_bucket").asText());
        assertFalse(store.variable("force_destroy").path("default").asBoolean(), "force_destroy is off unless a stack asks for it");
    }

    @Test
    void theRemoteModulePublishesWithNpcPushWhenTheContentAloneChanges() throws IOException {
        TerraformModule remote = module("terraform/modules/remote");
        assertFalse(remote.all("resource").has("aws_s3_object"), "the object is npc push's, not Terraform's: a CI push is not reverted");
        JsonNode publish = remote.resource("terraform_data", "publish");
        Map<String, String> triggers = new TreeMap<>();
        publish.path("triggers_replace").properties().forEach(e -> triggers.put(e.getKey(), e.getValue().asText()));
        String trigger = triggers.toString();
        assertEquals(Map.of("sha256", "${local.sha256}", "store", "${local.store_url}", "remote", "${var.name}",
                "signed", "${var.sign_key_file != null}"), triggers, "what makes Terraform publish again: " + trigger);
        assertEquals("lookup(local.packed, \"sha256\", \"\")", remote.local("sha256").replaceAll("^\\$\\{|}$", ""));
        JsonNode provisioner = publish.path("provisioner").path("local-exec").get(0);
        assertEquals("${path.module}/publish.sh", provisioner.path("command").asText());
        for (String setting : List.of("NPC_PUBLISH_SRC", "NPC_PUBLISH_REMOTE", "NPC_PUBLISH_STORE", "NPC_PUBLISH_SHA256", "NPC_PUBLISH_SIGN")) {
            assertTrue(provisioner.path("environment").asText().contains(setting), setting);
        }
        assertEquals("${path.module}/pack.sh", remote.data("external", "pack").path("program").get(0).asText());
        assertEquals("${var.source_dir}", remote.data("external", "pack").path("program").get(2).asText(),
                "the path as given: relative, the same on every checkout");
        for (String file : List.of("main.tf", "variables.tf", "outputs.tf")) {
            assertFalse(Files.readString(Checkout.file("terraform/modules/remote/" + file)).contains("abspath("),
                    file + ": an absolute path would differ between checkouts and end up in the state");
        }
        assertTrue(Files.isExecutable(Checkout.file("terraform/modules/remote/pack.sh")));
        assertTrue(Files.isExecutable(Checkout.file("terraform/modules/remote/publish.sh")));
    }

    @Test
    void thePackWrapperPassesTheModulesSettingsToNpcPack() throws IOException {
        Tools.require("sh");
        Path args = work.resolve("args");
        Path npc = Files.writeString(work.resolve("npc"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + args + "\necho '{}'\n");
        Files.setPosixFilePermissions(npc, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessResult result = Tools.run(List.of(Checkout.file("terraform/modules/remote/pack.sh").toString(), npc.toString(),
                "/src/fleet", work.resolve("out/prod.npc").toString(), "true", "hosts,modules"), Map.of(), work);

        assertTrue(result.ok(), result.toString());
        assertEquals(List.of("pack", "--json", "--src", "/src/fleet", "--output", work.resolve("out/prod.npc").toString(),
                "--allow-unlocked", "--include", "hosts", "--include", "modules"), Files.readAllLines(args));
        assertTrue(Files.isDirectory(work.resolve("out")), "the output directory is created");
    }

    @Test
    void theRealNpcPackGivesTheExternalDataSourceStringsThatDependOnTheContentAlone() throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(Checkout.file("npc-cli/target/npc-cli.jar")),
                "npc is not built; run ./mvnw -q -DskipTests package");
        // A fleet flake inside a git repository, packed from two checkouts at different paths and
        // after a commit that changes nothing the flake packs.
        Path repo = work.resolve("checkout-a");
        TestFlakes.committedGitFlake(repo.resolve("fleet"));
        TestCommands.git(repo.resolve("fleet"), "mv", "flake.nix", "flake.nix.tmp");
        TestCommands.git(repo.resolve("fleet"), "mv", "flake.nix.tmp", "flake.nix");
        Map<String, String> first = pack(repo, "fleet");
        Files.writeString(repo.resolve("fleet/README.md"), "notes\n");
        TestCommands.git(repo.resolve("fleet"), "add", "README.md");
        TestCommands.git(repo.resolve("fleet"), "rm", "-q", "--cached", "README.md");
        TestCommands.git(repo.resolve("fleet"), "commit", "-q", "--allow-empty", "-m", "a commit that changes no packed file");
        Map<String, String> afterCommit = pack(repo, "fleet");
        Path other = work.resolve("elsewhere/checkout-b");
        Nix.copyTree(repo, other);
        Map<String, String> elsewhere = pack(other, "fleet");

        assertEquals(first.get("sha256"), afterCommit.get("sha256"), "a commit alone publishes nothing");
        assertNotEquals(first.get("sourceRev"), afterCommit.get("sourceRev"));
        assertEquals(first.get("sha256"), elsewhere.get("sha256"), "the checkout's path is not part of the version");
        assertEquals(".npc/prod-canary.npc", first.get("path"), "the output path as given, never absolute");
        assertEquals(Sha256.hex(repo.resolve(".npc/prod-canary.npc")), first.get("sha256"));
        assertEquals(Long.toString(Files.size(repo.resolve(".npc/prod-canary.npc"))), first.get("bytes"));
    }

    /** pack.sh as the external data source runs it, from the root module's directory: its JSON, all strings. */
    private static Map<String, String> pack(Path rootModule, String sourceDir) throws IOException {
        ProcessResult result = Tools.run(List.of(Checkout.file("terraform/modules/remote/pack.sh").toString(),
                Checkout.file("bin/npc").toString(), sourceDir, ".npc/prod-canary.npc", "false", ""), Map.of(), rootModule);
        assertTrue(result.ok(), result.toString());
        String output = result.stdout().text();
        String json = output.substring(output.indexOf('{'), output.lastIndexOf('}') + 1);
        Map<String, Object> values = Json.mapper().readValue(json,
                new com.fasterxml.jackson.core.type.TypeReference<HashMap<String, Object>>() { });
        Map<String, String> strings = new TreeMap<>();
        values.forEach((k, v) -> {
            assertTrue(v instanceof String, "Terraform's external data source takes strings only; " + k + " is " + v.getClass().getSimpleName());
            strings.put(k, (String) v);
        });
        return strings;
    }

    @Test
    void theExampleIsOneHostModuleOverAMapAndStartsNoInstanceBeforeAPublish() {
        TerraformModule fleet = module("terraform/examples/fleet");

        JsonNode host = fleet.module("host");
        assertEquals("${var.hosts}", host.path("for_each").asText(), "one module block keyed by host name");
        assertEquals("${each.key}", host.path("host").asText());
        assertEquals("${each.value.remote}", host.path("remote").asText());
        assertEquals("${each.value.paused}", host.path("paused").asText());
        assertEquals("${each.value.instance_type}", host.path("instance_type").asText());
        assertEquals("${[for r in module.remote : r.sha256]}", host.path("launch_after").asText(),
                "instances launched in the apply that publishes wait for the publish");
        JsonNode hosts = fleet.variable("hosts").path("default");
        assertEquals("prod-canary", hosts.path("canary-1").path("remote").asText());
        assertEquals("prod", hosts.path("web-1").path("remote").asText());
        assertEquals("prod", hosts.path("web-2").path("remote").asText());
        assertTrue(fleet.module("store").path("history_hosts").isMissingNode(),
                "history/ expires as one prefix: a new fleet names no hosts for it");

        assertFalse(fleet.variable("create_instances").path("default").asBoolean(),
                "the first apply creates no instance: nothing is published yet");
        assertTrue(fleet.variable("force_destroy").path("default").asBoolean(), "the example can be destroyed");
        assertEquals("${var.force_destroy}", fleet.module("store").path("force_destroy").asText());
        assertEquals("${file(\"${var.flake_dir}/flake.lock\")}", host.path("fleet_flake_lock").asText());
        assertEquals("../../..", fleet.variable("flake_dir").path("default").asText(), "the example fleet is the root flake");
        assertTrue(Files.isRegularFile(Checkout.file("terraform/examples/fleet").resolve("../../../flake.lock").normalize()));

        Set<String> outputs = new TreeSet<>();
        fleet.all("output").fieldNames().forEachRemaining(outputs::add);
        assertTrue(outputs.containsAll(Set.of("store_url", "hosts", "publisher_policy_json", "admin_policy_json")), outputs.toString());
        assertTrue(fleet.all("output").get("hosts").get(0).path("value").asText().contains("public_ip"), "the hosts' addresses");
    }

    @Test
    void moduleSourcesAreRelativeAndNoReadmeNamesAPlaceholderRepository() throws IOException {
        for (String dir : MODULES) {
            TerraformModule module = module(dir);
            module.all("module").fieldNames().forEachRemaining(name -> {
                String source = module.module(name).path("source").asText();
                assertTrue(source.startsWith("../") || source.startsWith("./"), dir + ": module " + name + " source " + source);
                assertTrue(Files.isRegularFile(Checkout.file(dir).resolve(source).resolve("variables.tf").normalize()),
                        dir + ": module " + name + " source " + source + " does not exist");
            });
        }
        List<Path> files = new ArrayList<>(Checkout.filesEndingWith("terraform", ".md"));
        files.addAll(Checkout.filesEndingWith("terraform", ".tf"));
        // bootstrap/ is the bootstrap's own (its README describes the script); the repository-wide
        // placeholder check covers it.
        files.removeIf(f -> f.startsWith(Checkout.file("terraform/modules/host/bootstrap")));
        // Spelled in two parts so this file does not itself contain the name it looks for.
        String placeholder = "npc-dev" + "/npc";
        for (Path file : files) {
            String text = Files.readString(file);
            assertFalse(text.contains(placeholder) || text.contains("github.com/" + "npc-dev"),
                    file + " names a repository that does not exist");
        }
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
        Matcher placeholder = Pattern.compile("(?<!\\$)\\$\\{~?\\s*(\\w+)\\s*~?}").matcher(Files.readString(Checkout.file("terraform/modules/host/bootstrap/user-data.sh.tftpl")));
        while (placeholder.find()) {
            used.add(placeholder.group(1));
        }
        assertEquals(used, passed);
    }

    @Test
    void everyModuleCallPassesOnlyDeclaredVariablesAndEveryRequiredOne() {
        Set<String> metaArguments = Set.of("source", "version", "count", "for_each", "providers", "depends_on");
        int calls = 0;
        for (String dir : MODULES) {
            TerraformModule caller = module(dir);
            var names = caller.all("module").fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                JsonNode call = caller.module(name);
                String target = Checkout.root().relativize(Checkout.file(dir).resolve(call.path("source").asText()).normalize()).toString();
                TerraformModule callee = module(target);
                Set<String> declared = new TreeSet<>();
                Set<String> required = new TreeSet<>();
                callee.all("variable").fieldNames().forEachRemaining(v -> {
                    declared.add(v);
                    if (!callee.variable(v).has("default")) {
                        required.add(v);
                    }
                });
                Set<String> passed = new TreeSet<>();
                call.fieldNames().forEachRemaining(a -> {
                    if (!metaArguments.contains(a)) {
                        passed.add(a);
                    }
                });
                Set<String> undeclared = new TreeSet<>(passed);
                undeclared.removeAll(declared);
                assertEquals(Set.of(), undeclared, dir + ": module " + name + " passes variables " + target + " does not declare");
                Set<String> missing = new TreeSet<>(required);
                missing.removeAll(passed);
                assertEquals(Set.of(), missing, dir + ": module " + name + " does not pass required variables of " + target);

                // Every output of this module that the caller reads exists.
                Set<String> outputs = new TreeSet<>();
                callee.all("output").fieldNames().forEachRemaining(outputs::add);
                Matcher use = Pattern.compile("module\\." + Pattern.quote(name) + "(?:\\[[^]]*])?\\.(\\w+)").matcher(caller.text());
                while (use.find()) {
                    assertTrue(outputs.contains(use.group(1)), dir + " reads module." + name + "." + use.group(1)
                            + ", which " + target + " does not output");
                }
                Matcher loop = Pattern.compile("for \\w+, (\\w+) in module\\." + Pattern.quote(name) + " : [^}]*").matcher(caller.text());
                while (loop.find()) {
                    Matcher field = Pattern.compile("\\b" + loop.group(1) + "\\.(\\w+)").matcher(loop.group());
                    while (field.find()) {
                        assertTrue(outputs.contains(field.group(1)), dir + " reads " + field.group(1) + " of module." + name
                                + ", which " + target + " does not output");
                    }
                }
                calls++;
            }
        }
        assertTrue(calls >= 4, "expected the example's module calls, found " + calls);
    }

    @Test
    void everyModuleBoundsTerraformAndProviderVersions() {
        Pattern bounded = Pattern.compile(">= ?[0-9.]+, ?< ?[0-9.]+");
        for (String dir : MODULES) {
            JsonNode terraform = module(dir).all("terraform").get(0);
            assertTrue(bounded.matcher(terraform.path("required_version").asText()).matches(),
                    dir + ": required_version " + terraform.path("required_version").asText() + " has no upper bound");
            JsonNode providers = terraform.path("required_providers").get(0);
            assertTrue(providers.size() > 0, dir + " declares no providers");
            providers.properties().forEach(p -> {
                assertTrue(p.getValue().path("source").asText().startsWith("hashicorp/"), dir + ": provider " + p.getKey());
                assertTrue(bounded.matcher(p.getValue().path("version").asText()).matches(),
                        dir + ": provider " + p.getKey() + " version " + p.getValue().path("version").asText() + " has no upper bound");
            });
        }
    }

    @Test
    void readmeTablesAreGeneratedFromTheVariablesAndOutputsAndCurrent() throws IOException {
        Tools.requireHcl2json();
        Path tool = Checkout.file("tools/tfdocs.js");
        ProcessResult current = Tools.run(List.of("node", tool.toString(), "--check"), Map.of(), Checkout.root());
        assertTrue(current.ok(), "stale README tables; run node tools/tfdocs.js:\n" + current);

        Path copy = work.resolve("publisher");
        Nix.copyTree(Checkout.file("terraform/modules/publisher"), copy);
        Path variables = copy.resolve("variables.tf");
        Files.writeString(variables, Files.readString(variables).replace("ARN of the store's bucket", "The store's bucket ARN"));
        ProcessResult stale = Tools.run(List.of("node", tool.toString(), "--check", copy.toString()), Map.of(), work);
        assertNotEquals(0, stale.exitCode());
        assertTrue(stale.printed("inputs/outputs tables are out of date; run: node tools/tfdocs.js"), stale.toString());
        Tools.runOk(List.of("node", tool.toString(), copy.toString()), Map.of(), work);
        assertTrue(Files.readString(copy.resolve("README.md")).contains("| `bucket_arn` | The store's bucket ARN"));
        assertTrue(Tools.run(List.of("node", tool.toString(), "--check", copy.toString()), Map.of(), work).ok());
    }

    @Test
    void terraformFmtFindsNothingToChange() {
        Path terraform = Tools.require("terraform");
        ProcessResult fmt = Tools.run(List.of(terraform.toString(), "fmt", "-check", "-recursive", "-diff", "-no-color", "terraform"),
                Map.of("TF_CLI_CONFIG_FILE", "/dev/null", "CHECKPOINT_DISABLE", "1"), Checkout.root());
        assertTrue(fmt.ok(), "run terraform fmt -recursive terraform:\n" + fmt);
    }

    @Test
    void terraformStateAndWorkFilesAreIgnoredByGit() throws IOException {
        List<String> ignored = Files.readAllLines(Checkout.file(".gitignore"));
        assertTrue(ignored.containsAll(List.of(".terraform/", "*.tfstate", "*.tfstate.*", ".npc/", ".terraform.lock.hcl")), ignored.toString());
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
