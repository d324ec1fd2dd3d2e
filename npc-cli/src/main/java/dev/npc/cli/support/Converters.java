package dev.npc.cli.support;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.function.Function;

/** picocli converters from npc's own parsers, whose one-line messages already say what to write. */
public final class Converters {
    private Converters() { }

    /**
     * A converter that reports {@code parse}'s IllegalArgumentException as picocli's usage error,
     * "Invalid value for option '--x': MESSAGE", exit 2.
     */
    public static <T> ITypeConverter<T> of(Function<String, T> parse) {
        return text -> {
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }
}
