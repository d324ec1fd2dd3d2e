package dev.npc.pack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.npc.json.Json;

import java.io.IOException;
import java.util.Map;

/**
 * Refuses a flake.lock that pins inputs only this machine has: a {@code path} input outside the
 * packed directory (absolute, or relative and climbing out) would make every host's build fail.
 */
final class FlakeLockCheck {
    private FlakeLockCheck() { }

    static void check(byte[] flakeLock) throws PackException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(flakeLock);
        } catch (IOException e) {
            throw new PackException("flake.lock is not valid JSON (" + firstLine(e.getMessage())
                    + "); run `nix flake lock` to rewrite it");
        }
        if (root == null || !root.path("nodes").isObject()) {
            throw new PackException("flake.lock has no \"nodes\" object; run `nix flake lock` to rewrite it");
        }
        for (Map.Entry<String, JsonNode> node : root.path("nodes").properties()) {
            JsonNode locked = node.getValue().path("locked");
            if (!"path".equals(locked.path("type").asText())) {
                continue;
            }
            String path = locked.path("path").asText("");
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
