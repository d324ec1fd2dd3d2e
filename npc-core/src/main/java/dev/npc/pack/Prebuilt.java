package dev.npc.pack;

import dev.npc.host.Desired;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@value #PATH}: the toplevels built elsewhere for some configurations, which {@code npc push
 * --prebuilt CONFIG=PATH} writes into the archive. Inside the archive its bytes are covered by the
 * archive's sha256 and so by the remote's signature: a host that trusts keys realises only the
 * toplevel this file names for its configuration. The file is generated deterministically
 * (sorted, fixed layout), so the same map gives the same archive.
 *
 * <pre>
 * {
 *   "format": 1,
 *   "toplevels": {
 *     "web-1": "/nix/store/...-nixos-system-web-1"
 *   }
 * }
 * </pre>
 */
public final class Prebuilt {
    public static final String DIRECTORY = ".npc";
    public static final String PATH = DIRECTORY + "/prebuilt.json";
    static final int FORMAT = 1;

    private Prebuilt() { }

    /** The document as read from an unpacked archive. */
    record Document(Integer format, Map<String, String> toplevels) { }

    /**
     * One {@code --prebuilt CONFIG=/nix/store/HASH-NAME} argument, checked strictly: a
     * nixosConfigurations attribute name and a store path that is a toplevel, not a derivation.
     */
    public static Map.Entry<String, String> parseArgument(String argument) {
        int eq = argument == null ? -1 : argument.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--prebuilt '" + argument + "' is not CONFIG=/nix/store/PATH;"
                    + " e.g. --prebuilt web-1=/nix/store/...-nixos-system-web-1");
        }
        String configuration = argument.substring(0, eq);
        String path = argument.substring(eq + 1);
        String problem = problem(configuration, path);
        if (problem != null) {
            throw new IllegalArgumentException("--prebuilt '" + argument + "': " + problem);
        }
        return Map.entry(configuration, path);
    }

    /** Every --prebuilt argument as one map; a configuration given twice is refused. */
    public static SortedMap<String, String> parseArguments(Iterable<String> arguments) {
        SortedMap<String, String> map = new TreeMap<>();
        for (String argument : arguments) {
            Map.Entry<String, String> entry = parseArgument(argument);
            if (map.put(entry.getKey(), entry.getValue()) != null) {
                throw new IllegalArgumentException("--prebuilt names configuration '" + entry.getKey()
                        + "' twice; give one toplevel per configuration");
            }
        }
        return map;
    }

    /** The file's bytes for {@code toplevels}: sorted, two-space indented, one trailing new line. */
    static byte[] render(SortedMap<String, String> toplevels) {
        StringBuilder json = new StringBuilder("{\n  \"format\": " + FORMAT + ",\n  \"toplevels\": {");
        String separator = "\n";
        for (Map.Entry<String, String> entry : toplevels.entrySet()) {
            String problem = problem(entry.getKey(), entry.getValue());
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            // Names and paths are checked to need no JSON escaping.
            json.append(separator).append("    \"").append(entry.getKey()).append("\": \"").append(entry.getValue())
                    .append('"');
            separator = ",\n";
        }
        json.append(toplevels.isEmpty() ? "}\n}\n" : "\n  }\n}\n");
        return json.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The toplevels an unpacked archive names (empty when it has no {@value #PATH}).
     *
     * @throws PackException when the file is there but not a valid one: nothing in it is trusted
     */
    public static Map<String, String> read(Path flakeDir) throws PackException, IOException {
        Path file = flakeDir.resolve(PATH);
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new PackException(PATH + " in the remote is not a regular file; push it again with npc push --prebuilt");
                }
                return Map.of();
            }
            if (Files.size(file) > Json.MAX_DOCUMENT_BYTES) {
                throw new PackException(PATH + " in the remote is over " + Json.MAX_DOCUMENT_BYTES + " bytes; push it again"
                        + " with npc push --prebuilt");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Document document;
        try {
            document = Json.read(bytes, Document.class, PATH + " in the remote");
        } catch (InvalidDocumentException e) {
            throw new PackException(e.getMessage());
        }
        if (document.format() == null || document.format() != FORMAT || document.toplevels() == null) {
            throw new PackException(PATH + " in the remote is not format " + FORMAT + " with \"toplevels\"; push it again"
                    + " with this npc's push --prebuilt");
        }
        Map<String, String> toplevels = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(document.toplevels()).entrySet()) {
            String problem = problem(entry.getKey(), entry.getValue());
            if (problem != null) {
                throw new PackException(PATH + " in the remote: " + dev.npc.text.SafeText.line(problem));
            }
            toplevels.put(entry.getKey(), entry.getValue());
        }
        return toplevels;
    }

    private static String problem(String configuration, String path) {
        if (configuration == null || !Desired.CONFIGURATION.matcher(configuration).matches()) {
            return "configuration '" + configuration + "' is not a nixosConfigurations attribute name from"
                    + " [A-Za-z0-9._-] (at most 100 characters)";
        }
        if (path == null || !Desired.STORE_PATH.matcher(path).matches()) {
            return "'" + path + "' is not a /nix/store/<32-character hash>-<name> path";
        }
        if (path.endsWith(".drv")) {
            return "'" + path + "' is a derivation; give the toplevel it builds (nix build --print-out-paths"
                    + " .#nixosConfigurations." + configuration + ".config.system.build.toplevel)";
        }
        return null;
    }
}
