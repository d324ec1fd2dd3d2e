package dev.npc.daemon.config;

import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * One line for a value picocli refused: the flag, where the value came from when not from the
 * command line, what is wrong and the fix, e.g. {@code --interval (from /var/lib/npc/config.json):
 * duration 'soon' is not valid; write e.g. 30s, ...}.
 */
public final class OptionErrors {
    private OptionErrors() { }

    /** The line for a value an option's converter refused; null for other errors (picocli's own message says them). */
    public static String line(ParameterException e) {
        if (!(e.getArgSpec() instanceof OptionSpec option) || !(e.getCause() instanceof TypeConversionException refused)) {
            return null;
        }
        String origin = option.originalStringValues().isEmpty()
                && e.getCommandLine().getDefaultValueProvider() instanceof SettingsDefaults defaults
                ? defaults.origin(option) : null;
        return option.longestName() + (origin == null ? "" : " (from " + origin + ")") + ": " + refused.getMessage();
    }

    /** config.json's problem when that is what stopped the parse, else null. */
    public static ConfigFile.Unreadable unreadableConfig(ParameterException e) {
        return e.getCause() instanceof ConfigFile.Unreadable unreadable ? unreadable : null;
    }

    /** The exception code without a command line throws for {@code e}. */
    static RuntimeException unchecked(ParameterException e) {
        ConfigFile.Unreadable unreadable = unreadableConfig(e);
        if (unreadable != null) {
            return unreadable;
        }
        String line = line(e);
        return new IllegalArgumentException(line != null ? line : e.getMessage(), e);
    }
}
