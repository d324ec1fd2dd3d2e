package dev.npc.store;

import dev.npc.host.HostName;
import dev.npc.remote.RemoteName;

/** The bucket layout of docs/format.md (format 1): every key npc reads or writes comes from here. */
public final class Layout {
    public static final String REMOTES = "remotes/";
    public static final String HOSTS = "hosts/";
    /**
     * Per-host activation records, outside {@link #HOSTS} so that one listing of {@code hosts/}
     * holds only the two documents per host the fleet view reads (docs/scale.md).
     */
    public static final String HISTORY = "history/";
    public static final String DESIRED_NAME = "desired.json";
    public static final String STATE_NAME = "state.json";
    public static final String REMOTE_SUFFIX = ".npc";
    /** The last npc rollout and how far it got (dev.npc.fleet.RolloutRecord). */
    public static final String ROLLOUT = "rollouts/last.json";
    /** The fleet page npc status --publish writes, for an S3 website or CloudFront to serve. */
    public static final String STATUS_PAGE = "status/index.html";

    private Layout() { }

    public static String remote(String remote) {
        return REMOTES + RemoteName.check(remote) + REMOTE_SUFFIX;
    }

    public static String desired(String host) {
        return HOSTS + HostName.check(host) + "/" + DESIRED_NAME;
    }

    public static String state(String host) {
        return HOSTS + HostName.check(host) + "/" + STATE_NAME;
    }

    public static String historyPrefix(String host) {
        return HISTORY + HostName.check(host) + "/";
    }

    /**
     * Where history records were kept before they moved to {@link #historyPrefix}: nothing writes
     * there any more; {@code npc hosts rm --purge} still deletes what an older daemon left.
     */
    public static String legacyHistoryPrefix(String host) {
        return HOSTS + HostName.check(host) + "/history/";
    }

    /** The host of a {@code hosts/<host>/desired.json} or {@code hosts/<host>/state.json} key, else null. */
    public static String hostOfDocument(String key) {
        if (!key.startsWith(HOSTS)) {
            return null;
        }
        String rest = key.substring(HOSTS.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String name = rest.substring(slash + 1);
        return name.equals(DESIRED_NAME) || name.equals(STATE_NAME) ? rest.substring(0, slash) : null;
    }

    /** {@code <utc-timestamp>-<result>.json}; the timestamp sorts lexically, e.g. 20261122T100000.123Z. */
    public static String history(String host, String utcTimestamp, String result) {
        return StoreKeys.check(historyPrefix(host) + utcTimestamp + "-" + result + ".json");
    }

    /** The remote name of a {@code remotes/<name>.npc} key, or null for any other key. */
    public static String remoteNameOf(String key) {
        if (!key.startsWith(REMOTES) || !key.endsWith(REMOTE_SUFFIX)) {
            return null;
        }
        String name = key.substring(REMOTES.length(), key.length() - REMOTE_SUFFIX.length());
        return name.contains("/") ? null : name;
    }
}
