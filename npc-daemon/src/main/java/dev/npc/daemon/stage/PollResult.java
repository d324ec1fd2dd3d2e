package dev.npc.daemon.stage;

import dev.npc.host.Desired;
import dev.npc.store.GetResult;

import java.io.IOException;

/**
 * What one poll learned.
 *
 * @param desired        the parsed desired.json, or null when missing or invalid
 * @param missingKey     the desired.json key when there is none, else null
 * @param error          why desired.json or its remote cannot be used, else null
 * @param sha256         the remote's version, when known
 * @param changed        whether either document changed since the last poll (false: both 304)
 * @param remoteBody     the remote's open body when it was just read, else null
 */
public record PollResult(Desired desired, String missingKey, String error, String sha256, boolean changed,
                         GetResult.Found remoteBody) implements AutoCloseable {

    static PollResult missing(String key) {
        return new PollResult(null, key, null, null, true, null);
    }

    static PollResult invalid(String error, boolean changed) {
        return new PollResult(null, null, error, null, changed, null);
    }

    static PollResult of(Desired desired, String sha256, String error, boolean desiredChanged, boolean remoteChanged,
                         GetResult.Found body) {
        return new PollResult(desired, null, error, sha256, desiredChanged || remoteChanged, body);
    }

    @Override
    public void close() throws IOException {
        if (remoteBody != null) {
            remoteBody.close();
        }
    }
}
