package dev.npc.daemon.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A systemd unit as switch-to-configuration reads it, to tell whether a new system changes it:
 * the unit file and its drop-ins ({@code <unit>.d/*.conf}, in order), each key's values in order,
 * an empty value clearing the earlier ones, the {@code [Install]} section skipped. Ported from
 * parse_unit, parse_systemd_ini and compare_units in nixpkgs'
 * pkgs/by-name/sw/switch-to-configuration-ng/src/main.rs, so npc calls a unit changed exactly
 * when a switch would restart it if it were allowed to (npc's unit has restartIfChanged = false).
 */
public final class UnitFile {
    /** [Unit] keys whose change makes switch-to-configuration neither restart nor reload a unit. */
    private static final Set<String> UNIT_IGNORED = Set.of("X-Reload-Triggers", "Description", "Documentation",
            "OnFailure", "OnSuccess", "OnFailureJobMode", "IgnoreOnIsolate", "StopWhenUnneeded", "RefuseManualStart",
            "RefuseManualStop", "AllowIsolate", "CollectMode", "SourcePath");

    private final Map<String, Map<String, List<String>>> sections;

    private UnitFile(Map<String, Map<String, List<String>>> sections) {
        this.sections = sections;
    }

    /** The unit {@code name} of a system ({@code <toplevel>/etc/systemd/system/<name>}), or null when it has none. */
    public static UnitFile of(Path system, String name) {
        if (system == null) {
            return null;
        }
        Path unit = system.resolve("etc/systemd/system").resolve(name);
        try {
            if (!Files.isRegularFile(unit)) {
                return null;
            }
            Map<String, Map<String, List<String>>> sections = new TreeMap<>();
            parse(Files.readString(unit), sections);
            Path dropIns = unit.resolveSibling(name + ".d");
            if (Files.isDirectory(dropIns)) {
                try (Stream<Path> files = Files.list(dropIns)) {
                    for (Path conf : files.filter(f -> f.getFileName().toString().endsWith(".conf")).sorted().toList()) {
                        parse(Files.readString(conf), sections);
                    }
                }
            }
            return new UnitFile(sections);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether switch-to-configuration would restart a unit going from this to {@code other}: any
     * difference but in the ignored [Unit] keys and in ExecReload (which it reloads for).
     */
    public boolean differsFrom(UnitFile other) {
        return !changedKeys(other).isEmpty();
    }

    /** The keys whose change would make switch-to-configuration restart the unit, for the log. */
    public List<String> changedKeys(UnitFile other) {
        List<String> changed = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>(sections.keySet());
        names.addAll(other.sections.keySet());
        for (String section : names) {
            Map<String, List<String>> a = sections.getOrDefault(section, Map.of());
            Map<String, List<String>> b = other.sections.getOrDefault(section, Map.of());
            Set<String> keys = new java.util.TreeSet<>(a.keySet());
            keys.addAll(b.keySet());
            for (String key : keys) {
                boolean ignored = "Unit".equals(section) && UNIT_IGNORED.contains(key)
                        || "Service".equals(section) && "ExecReload".equals(key);
                if (!ignored && !Objects.equals(a.get(key), b.get(key))) {
                    changed.add(key);
                }
            }
        }
        return changed;
    }

    private static void parse(String text, Map<String, Map<String, List<String>>> sections) {
        Map<String, List<String>> current = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1);
                current = "Install".equals(name) ? null : sections.computeIfAbsent(name, n -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            List<String> values = current.computeIfAbsent(key, k -> new ArrayList<>());
            if (value.isEmpty()) {
                values.clear();
            } else {
                values.add(value);
            }
        }
    }
}
