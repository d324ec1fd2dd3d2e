package dev.npc.daemon.config;

import dev.npc.host.Action;
import dev.npc.host.HostName;
import dev.npc.host.RebootPolicy;
import dev.npc.remote.RemoteName;
import dev.npc.store.StoreLocation;
import dev.npc.time.Durations;
import dev.npc.time.MaintenanceWindow;
import dev.npc.trust.KeyFiles;
import dev.npc.trust.TrustedKey;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * The daemon's value types, each parsed once, where picocli reads the flag (or its default from
 * the environment or config.json). A refused value is a {@link TypeConversionException} whose
 * message says what is wrong and how to fix it; {@link OptionErrors} puts the flag in front.
 */
final class Converters {
    private Converters() { }

    /**
     * A parser whose IllegalArgumentException (one line with the fix) becomes picocli's refusal.
     * Each converter overrides {@link #parse} rather than passing a lambda: these classes implement
     * picocli's interface, whose class files are too old for the class data sharing archive to
     * link at dump time, so a lambda created in them is spun again at every start (13 of them in
     * each {@code follow --once}).
     */
    private abstract static class Parsing<T> implements ITypeConverter<T> {
        abstract T parse(String text);

        @Override
        public T convert(String text) {
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            } catch (UncheckedIOException e) {
                throw new TypeConversionException(e.getCause().getMessage());
            }
        }
    }

    /** A systemd time span: 30s, 5min, 1h30m ({@link Durations}). */
    static final class Span extends Parsing<Duration> {
        @Override
        Duration parse(String text) {
            return Durations.parse(text);
        }
    }

    /** A time span longer than zero. */
    static final class PositiveSpan extends Parsing<Duration> {
        @Override
        Duration parse(String text) {
            Duration span = Durations.parse(text);
            if (span.isZero()) {
                throw new IllegalArgumentException("must be more than 0, e.g. 60s");
            }
            return span;
        }
    }

    /** A count: 0 or more. */
    static final class Count extends Parsing<Integer> {
        @Override
        Integer parse(String text) {
            return atLeast(0, text);
        }
    }

    /** A count of 1 or more. */
    static final class PositiveCount extends Parsing<Integer> {
        @Override
        Integer parse(String text) {
            return atLeast(1, text);
        }
    }

    /** s3://bucket/prefix or file:///dir ({@link StoreLocation}). */
    static final class Store extends Parsing<StoreLocation> {
        @Override
        StoreLocation parse(String text) {
            return StoreLocation.parse(text);
        }
    }

    /** An http or https URL with a host. */
    static final class HttpUrl extends Parsing<URI> {
        @Override
        URI parse(String text) {
            return httpUrl(text);
        }
    }

    /** switch, boot or test ({@link Action}). */
    static final class ActionName extends Parsing<String> {
        @Override
        String parse(String text) {
            if (!Action.isValid(text)) {
                throw new IllegalArgumentException("'" + text + "' is not one of switch, boot, test");
            }
            return text;
        }
    }

    /** A maintenance window: Sat 02:00-04:00 UTC ({@link MaintenanceWindow}). */
    static final class Window extends Parsing<MaintenanceWindow> {
        @Override
        MaintenanceWindow parse(String text) {
            return MaintenanceWindow.parse(text);
        }
    }

    /** never or allowed ({@link RebootPolicy}). */
    static final class Reboot extends Parsing<RebootPolicy> {
        @Override
        RebootPolicy parse(String text) {
            return RebootPolicy.parse(text);
        }
    }

    /** A host's name in the store ({@link HostName}). */
    static final class Host extends Parsing<String> {
        @Override
        String parse(String text) {
            return HostName.check(text);
        }
    }

    /** A remote's name ({@link RemoteName}). */
    static final class Remote extends Parsing<String> {
        @Override
        String parse(String text) {
            return RemoteName.check(text);
        }
    }

    /** A public key file from npc keys generate, or its npc-ed25519-public:... line, read once at start. */
    static final class Key extends Parsing<TrustedKey> {
        @Override
        TrustedKey parse(String text) {
            return trustedKey(text);
        }
    }

    /** HOST:PORT ({@link HostPort}). */
    static final class Tcp extends Parsing<HostPort> {
        @Override
        HostPort parse(String text) {
            return HostPort.parse(text);
        }
    }

    private static int atLeast(int min, String text) {
        int value;
        try {
            value = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number");
        }
        if (value < min) {
            throw new IllegalArgumentException("must be " + min + " or more, not " + value);
        }
        return value;
    }

    private static URI httpUrl(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below, with the fix
        }
        throw new IllegalArgumentException("'" + text + "' is not an http(s) URL; write e.g. http://127.0.0.1:8080/healthz");
    }

    private static TrustedKey trustedKey(String text) {
        try {
            return KeyFiles.readTrustedKey(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
