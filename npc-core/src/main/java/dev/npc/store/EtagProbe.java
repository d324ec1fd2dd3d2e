package dev.npc.store;

import software.amazon.awssdk.http.SdkHttpMethod;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Asks S3 whether an object still has an ETag with one signed HEAD sent by {@link SignedHttp},
 * without the S3 client: what an unchanged poll costs.
 *
 * <p>The answer is only ever "certainly unchanged" or "ask the client": any other status, a
 * missing or different ETag, an I/O failure, all return false, and the caller then goes through
 * the client as before, which reports, retries and reads the bytes through the verified path.
 * Nothing the probe sees is used as content.
 */
final class EtagProbe {
    private final SignedHttp http;

    EtagProbe(SignedHttp http) {
        this.http = http;
    }

    /** A probe for the store, or empty when only the client knows how to address it. */
    static Optional<EtagProbe> of(StoreLocation.S3 location, S3Connection connection, Function<String, String> env) {
        return SignedHttp.of(location, connection, env).map(EtagProbe::new);
    }

    /**
     * Whether the object under {@code key} certainly still has ETag {@code etag}: a signed HEAD
     * answered 200 with exactly that ETag. False means "don't know", never "changed" for sure.
     */
    boolean unchanged(String key, String etag) {
        StoreKeys.check(key);
        if (http.elsewhere()) {
            return false;
        }
        HttpURLConnection connection = null;
        try {
            connection = http.open(SdkHttpMethod.HEAD, http.uri(key), Map.of(), null);
            int status = http.status(connection);
            if (status < 400) {
                SignedHttp.drain(connection.getInputStream());
            }
            return status == 200 && etag.equals(connection.getHeaderField("ETag"));
        } catch (IOException | RuntimeException e) {
            // Unreachable, unsigned credentials, anything odd: the client will say what it was.
            if (connection != null) {
                connection.disconnect();
            }
            return false;
        }
    }
}
