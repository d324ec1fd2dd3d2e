package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner.ProcessResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real {@code terraform console} on a module's provider-free files: its variables.tf and the
 * file that computes its values from them (locals.tf, statements.tf), copied with the module's
 * other files (templates, the bootstrap script) into an empty directory, plus the two facts a
 * data source would give (partition, DNS suffix). Terraform needs no provider and no network for
 * that, so what a test checks is what Terraform renders. Skips when no terraform is installed.
 */
final class TerraformConsole {
    /** What data.aws_partition gives in the commercial partition; main.tf sets these locals from it. */
    static final String PROVIDER_FACTS = "locals {\n  partition  = \"aws\"\n  dns_suffix = \"amazonaws.com\"\n}\n";
    /** Files that need a provider (resources, data sources) and are therefore not copied. */
    private static final List<String> PROVIDER_FILES = List.of("main.tf", "outputs.tf", "versions.tf");

    private final Path dir;
    private final Path terraform;

    private TerraformConsole(Path dir, Path terraform) {
        this.dir = dir;
        this.terraform = terraform;
    }

    /** Copies {@code module} (a directory under the checkout) without its provider files into {@code work}. */
    static TerraformConsole of(String module, Path work) {
        Path terraform = Tools.require("terraform");
        Path source = Checkout.file(module);
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path relative = source.relativize(file);
                if (relative.getNameCount() == 1 && PROVIDER_FILES.contains(relative.toString())) {
                    continue;
                }
                Path target = work.resolve(relative.toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
            Files.writeString(work.resolve("provider_facts.tf"), PROVIDER_FACTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TerraformConsole(work, terraform);
    }

    Path dir() {
        return dir;
    }

    /** Replaces one of the copied files, e.g. the bootstrap script with a larger one. */
    TerraformConsole withFile(String relative, String content) {
        try {
            Files.writeString(dir.resolve(relative), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** {@code jsonencode(expression)} evaluated with these variable values, parsed. */
    JsonNode json(Map<String, ?> variables, String expression) {
        ProcessResult result = run(variables, "jsonencode(" + expression + ")");
        if (!result.ok() || failed(result)) {
            throw new AssertionError("terraform console could not evaluate " + expression + " with " + variables + ":\n"
                    + result);
        }
        String out = result.stdout().text().strip();
        try {
            // The console prints the string jsonencode() returned, as an HCL string literal: JSON-quoted.
            String quoted = out.substring(out.indexOf('"'), out.lastIndexOf('"') + 1);
            return Json.mapper().readTree(Json.mapper().readValue(quoted, String.class));
        } catch (IOException | StringIndexOutOfBoundsException e) {
            throw new AssertionError("terraform console printed no JSON string for " + expression + ":\n" + out, e);
        }
    }

    /** A string value, e.g. rendered user-data. */
    String string(Map<String, ?> variables, String expression) {
        return json(variables, expression).asText();
    }

    /** Runs an evaluation that must fail (a validation); returns the error Terraform printed. */
    String failure(Map<String, ?> variables, String expression) {
        ProcessResult result = run(variables, expression);
        if (result.ok() && !failed(result)) {
            throw new AssertionError("terraform console accepted " + variables + " for " + expression + ":\n" + result);
        }
        return result.stderr().text().replaceAll("\\s*\\n\\s*", " ");
    }

    /** A failed validation is reported as an error, yet the console may still print a value and exit 0. */
    private static boolean failed(ProcessResult result) {
        return result.printed("Error: ");
    }

    private ProcessResult run(Map<String, ?> variables, String expression) {
        try {
            Map<String, Object> values = new LinkedHashMap<>(variables);
            Files.writeString(dir.resolve("terraform.tfvars.json"), Json.writeString(values));
            Path input = Files.writeString(dir.resolve("expression.txt"), expression + "\n");
            Map<String, String> env = Map.of(
                    "TF_CLI_CONFIG_FILE", "/dev/null", // no ~/.terraformrc needed or read
                    "CHECKPOINT_DISABLE", "1",         // no version check over the network
                    "TF_IN_AUTOMATION", "1",
                    "TF_INPUT", "0");
            return Tools.run(List.of("sh", "-c", "exec \"$0\" console -no-color < \"$1\"", terraform.toString(),
                    input.toString()), env, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
