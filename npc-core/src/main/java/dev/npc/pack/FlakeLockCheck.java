package dev.npc.pack;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.npc.json.Json;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refuses a flake.lock that pins inputs only this machine has: a {@code path} input outside the
 * packed directory (absolute, or relative and climbing out) would make every host's build fail.
 *
 * <p>Read with Jackson's streaming parser, not {@link Json#mapper()}: building the object mapper
 * (and loading its classes) cost about 0.3 s of CPU, as much as packing a small flake. The bounds
 * are {@link Json}'s; duplicate keys count as a tree reader counts them: the last one wins.
 */
final class FlakeLockCheck {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64).maxStringLength(Json.MAX_DOCUMENT_BYTES).build())
            .build();

    /** What one node of the lock pins: its locked type and path, as text (null: not there). */
    private record Locked(String type, String path) { }

    private FlakeLockCheck() { }

    static void check(byte[] flakeLock) throws PackException {
        Map<String, Locked> nodes;
        try (JsonParser parser = JSON.createParser(flakeLock)) {
            nodes = nodes(parser);
        } catch (IOException e) {
            throw new PackException("flake.lock is not valid JSON (" + firstLine(e.getMessage())
                    + "); run `nix flake lock` to rewrite it");
        }
        if (nodes == null) {
            throw new PackException("flake.lock has no \"nodes\" object; run `nix flake lock` to rewrite it");
        }
        for (Map.Entry<String, Locked> node : nodes.entrySet()) {
            if (!"path".equals(node.getValue().type())) {
                continue;
            }
            String path = node.getValue().path() == null ? "" : node.getValue().path();
            if (path.startsWith("/")) {
                throw new PackException("flake.lock input '" + node.getKey() + "' is the local path " + path
                        + ", which hosts do not have; use a git or github input, or move it inside the flake directory");
            }
            if (escapes(path)) {
                throw new PackException("flake.lock input '" + node.getKey() + "' is the path " + path
                        + ", outside the flake directory, which hosts do not have; move it inside the flake directory");
            }
        }
    }

    /** The "nodes" object of the document's top-level object, read to its end; null when there is none. */
    private static Map<String, Locked> nodes(JsonParser parser) throws IOException {
        JsonToken root = parser.nextToken();
        if (root == null) {
            return null;
        }
        if (root != JsonToken.START_OBJECT) {
            parser.skipChildren(); // still parses (and so checks) the whole value
            return null;
        }
        Map<String, Locked> nodes = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("nodes") && value == JsonToken.START_OBJECT) {
                nodes = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    Locked locked = parser.nextToken() == JsonToken.START_OBJECT ? node(parser) : skip(parser);
                    nodes.put(name, locked); // a repeated name: the last wins, in the place of the first, as in a tree
                }
            } else {
                if (field.equals("nodes")) {
                    nodes = null; // a later non-object "nodes" replaces an earlier one
                }
                parser.skipChildren();
            }
        }
        return nodes;
    }

    /** One node's object (its START_OBJECT read): the "locked" object's type and path. */
    private static Locked node(JsonParser parser) throws IOException {
        Locked locked = new Locked(null, null);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("locked")) {
                locked = value == JsonToken.START_OBJECT ? locked(parser) : skip(parser);
            } else {
                parser.skipChildren();
            }
        }
        return locked;
    }

    private static Locked locked(JsonParser parser) throws IOException {
        String type = null;
        String path = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            String text = value.isScalarValue() && value != JsonToken.VALUE_NULL ? parser.getText() : null;
            parser.skipChildren();
            if (field.equals("type")) {
                type = text;
            } else if (field.equals("path")) {
                path = text;
            }
        }
        return new Locked(type, path);
    }

    private static Locked skip(JsonParser parser) throws IOException {
        parser.skipChildren();
        return new Locked(null, null);
    }

    private static boolean escapes(String relative) {
        int depth = 0;
        for (String part : relative.split("/")) {
            if (part.equals("..")) {
                if (--depth < 0) {
                    return true;
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                depth++;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
