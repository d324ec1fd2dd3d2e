package dev.npc.daemon.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.npc.files.AtomicFiles;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code <state-dir>/config.json}: the settings install was given, each under its field's name in
 * {@link Settings} ({@code store}, {@code healthCommands}, {@code keepGenerations}...), as texts,
 * lists of texts, numbers and booleans: the form install has written since the first release, so
 * a host's existing file reads as before.
 */
public final class ConfigFile {
    private static final String FIX = "fix it or run npc-daemon install again";

    private final Path path;
    private final ObjectNode values;

    private ConfigFile(Path path, ObjectNode values) {
        this.path = path;
        this.values = values;
    }

    /** config.json could not be read or is not a settings object: one line naming the file and the fix. */
    public static final class Unreadable extends IllegalStateException {
        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The file, or no values when there is none.
     *
     * @throws Unreadable when it cannot be read or is not a JSON object
     */
    static ConfigFile read(Path path) {
        if (!Files.exists(path)) {
            return new ConfigFile(path, Json.mapper().createObjectNode());
        }
        JsonNode document;
        try {
            document = Json.read(Files.readAllBytes(path), JsonNode.class, path.toString());
        } catch (InvalidDocumentException e) {
            throw new Unreadable(e.getMessage() + "; " + FIX);
        } catch (IOException e) {
            throw new Unreadable("cannot read " + path + ": " + e.getMessage());
        }
        if (!(document instanceof ObjectNode object)) {
            throw new Unreadable(path + " is not valid: not a JSON object; " + FIX);
        }
        return new ConfigFile(path, object);
    }

    /**
     * Records the settings given on install's command line over those the file had, so a later
     * install that changes one setting keeps the others.
     */
    public static void record(Path path, Collection<OptionSpec> given) throws IOException {
        ObjectNode values = read(path).values;
        for (OptionSpec option : given) {
            if (Settings.isSetting(option)) {
                values.set(key(option), json(option));
            }
        }
        AtomicFiles.write(path, Json.write(values));
    }

    Path path() {
        return path;
    }

    /**
     * The text picocli converts for {@code setting}, a list's items separated as
     * {@link Settings#ITEMS} splits them; null when the file has no value for it.
     */
    String text(ArgSpec setting) {
        String key = key(setting);
        JsonNode value = values.get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            return scalar(key, value);
        }
        if (!setting.isMultiValue()) {
            throw new Unreadable(path + " is not valid: '" + key + "' is a list, where one value belongs; " + FIX);
        }
        List<String> items = new ArrayList<>();
        value.forEach(item -> items.add(scalar(key, item)));
        return items.isEmpty() ? null : String.join("\0", items);
    }

    private String scalar(String key, JsonNode value) {
        if (!value.isValueNode() || value.isNull()) {
            throw new Unreadable(path + " is not valid: '" + key + "' holds " + value.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT) + ", where a text, number or boolean belongs; " + FIX);
        }
        return value.asText();
    }

    /** A setting's name in the file: its field's. */
    private static String key(ArgSpec setting) {
        return ((Field) setting.userObject()).getName();
    }

    /** A given setting as the file holds it: the text given (a list's texts), or the number or boolean. */
    private static JsonNode json(OptionSpec given) {
        List<String> texts = given.originalStringValues();
        if (given.isMultiValue()) {
            ArrayNode list = Json.mapper().createArrayNode();
            texts.forEach(list::add);
            return list;
        }
        Class<?> type = given.type();
        if (type == int.class || type == Integer.class) {
            return IntNode.valueOf(given.<Integer>getValue());
        }
        if (type == boolean.class || type == Boolean.class) {
            return BooleanNode.valueOf(given.<Boolean>getValue());
        }
        return TextNode.valueOf(texts.get(texts.size() - 1));
    }
}
