package dev.npc.tests.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npc.json.Json;

import java.util.Iterator;
import java.util.Map;

/**
 * One Terraform module directory as HashiCorp's parser sees it: the blocks of all its .tf files
 * (hcl2json's shape: {"resource": {"type": {"name": [ {body} ]}}, "locals": [ {..}, {..} ], ...}).
 */
final class TerraformModule {
    private final String dir;
    private final ObjectNode blocks = Json.mapper().createObjectNode();
    private final ObjectNode locals = Json.mapper().createObjectNode();

    TerraformModule(String dir, Map<String, JsonNode> parsedFiles) {
        this.dir = dir;
        parsedFiles.forEach((file, body) -> {
            if (file.startsWith(dir + "/") && file.indexOf('/', dir.length() + 1) < 0) {
                merge(body);
            }
        });
        if (blocks.isEmpty()) {
            throw new AssertionError("no .tf files parsed in " + dir);
        }
    }

    private void merge(JsonNode body) {
        Iterator<Map.Entry<String, JsonNode>> kinds = body.properties().iterator();
        while (kinds.hasNext()) {
            Map.Entry<String, JsonNode> kind = kinds.next();
            if (kind.getKey().equals("locals")) {
                kind.getValue().forEach(block -> locals.setAll((ObjectNode) block));
            } else if (kind.getValue().isObject()) {
                ObjectNode target = blocks.has(kind.getKey()) ? (ObjectNode) blocks.get(kind.getKey()) : blocks.putObject(kind.getKey());
                deepMerge(target, (ObjectNode) kind.getValue());
            } else {
                blocks.withArray(kind.getKey()).addAll((ArrayNode) kind.getValue());
            }
        }
    }

    private static void deepMerge(ObjectNode target, ObjectNode source) {
        source.properties().forEach(e -> {
            if (target.has(e.getKey()) && target.get(e.getKey()).isObject() && e.getValue().isObject()) {
                deepMerge((ObjectNode) target.get(e.getKey()), (ObjectNode) e.getValue());
            } else {
                target.set(e.getKey(), e.getValue());
            }
        });
    }

    String dir() {
        return dir;
    }

    /** The module's .tf files as written, one after the other (for references the parse keeps as text). */
    String text() {
        StringBuilder all = new StringBuilder();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(Checkout.file(dir))) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".tf")).sorted().toList()) {
                all.append(java.nio.file.Files.readString(file)).append('\n');
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return all.toString();
    }

    /** variable, output, module, ...: name -> body. */
    JsonNode all(String kind) {
        JsonNode found = blocks.get(kind);
        return found == null ? Json.mapper().createObjectNode() : found;
    }

    JsonNode variable(String name) {
        return single(all("variable"), name, "variable");
    }

    JsonNode resource(String type, String name) {
        return single(all("resource").path(type), name, "resource " + type);
    }

    JsonNode data(String type, String name) {
        return single(all("data").path(type), name, "data " + type);
    }

    JsonNode module(String name) {
        return single(all("module"), name, "module");
    }

    String local(String name) {
        JsonNode value = locals.get(name);
        if (value == null) {
            throw new AssertionError(dir + " has no local." + name);
        }
        return value.asText();
    }

    private JsonNode single(JsonNode byName, String name, String what) {
        JsonNode list = byName.get(name);
        if (list == null || list.size() != 1) {
            throw new AssertionError(dir + " has no single " + what + " \"" + name + "\"");
        }
        return list.get(0);
    }
}
