package dev.npc.daemon.config;

import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a setting the command line leaves out comes from: its environment variable, then
 * {@code <state-dir>/config.json} (what install recorded), then its declared default. picocli asks
 * this for each option it did not match, once it has read the command line, so --state-dir is
 * known by then.
 *
 * <p>An option names its variable in its declared default, as picocli writes it:
 * {@code ${env:NAME}} or {@code ${env:NAME:-default}}. The variable is looked up in the daemon's
 * environment seam ({@code Seams.env()}), which tests set, not in the JVM's.
 *
 * <p>While help (or the version) is shown nothing is read: the help lists the declared defaults,
 * whatever this host's environment and config.json say, and a broken config.json does not hide it.
 */
public final class SettingsDefaults implements IDefaultValueProvider {
    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\$\\{env:(\\w+)(?::-(.*))?}", Pattern.DOTALL);

    private final Map<String, String> env;
    private final Map<ArgSpec, String> origins = new HashMap<>();
    private ConfigFile file;

    public SettingsDefaults(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        Declared declared = Declared.of(arg);
        if (declared == null) {
            return null;
        }
        CommandLine cli = arg.command().commandLine();
        String found = cli.isUsageHelpRequested() || cli.isVersionHelpRequested() ? null : found(arg, declared);
        if (found != null) {
            // picocli interpolates what a provider gives ("$$" becomes "$", "${HOME}" the JVM's):
            // doubled, every "$" of a health command reaches it as written.
            return found.replace("$", "$$");
        }
        if (declared.variable() == null) {
            return null;
        }
        return declared.fallback() == null ? Option.NULL_VALUE : declared.fallback();
    }

    /** Where the default value of {@code arg} came from (a variable's name, config.json's path), or null. */
    String origin(ArgSpec arg) {
        return origins.get(arg);
    }

    /** The value from the environment or config.json, or null when neither has one. */
    private String found(ArgSpec arg, Declared declared) {
        String value = declared.variable() == null ? null : env.get(declared.variable());
        if (value != null && !value.isBlank()) {
            origins.put(arg, declared.variable());
            return value;
        }
        if (Settings.isSetting(arg)) {
            ConfigFile config = config(arg.command());
            value = config.text(arg);
            if (value != null) {
                origins.put(arg, config.path().toString());
                return value;
            }
        }
        return null;
    }

    private ConfigFile config(CommandSpec command) {
        Path path = stateDir(command).resolve("config.json");
        if (file == null || !file.path().equals(path)) {
            file = ConfigFile.read(path);
        }
        return file;
    }

    /** --state-dir as given, or as its own default will be (picocli may not have applied that yet). */
    private Path stateDir(CommandSpec command) {
        OptionSpec option = command.findOption(StateDirOption.NAME);
        if (option.getValue() != null) {
            return option.getValue();
        }
        Declared declared = Declared.of(option);
        String found = found(option, declared);
        return Path.of(found != null ? found : declared.fallback());
    }

    /** What an option's declared default says: the variable it names, and the default after it. */
    private record Declared(String variable, String fallback) {
        /** Null for options that are not annotated fields (picocli's own). */
        static Declared of(ArgSpec arg) {
            if (!(arg.userObject() instanceof Field field) || !field.isAnnotationPresent(Option.class)) {
                return null;
            }
            Matcher matcher = FROM_ENVIRONMENT.matcher(field.getAnnotation(Option.class).defaultValue());
            return matcher.matches() ? new Declared(matcher.group(1), matcher.group(2)) : new Declared(null, null);
        }
    }
}
