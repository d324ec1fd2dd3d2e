package dev.npc.store;

import dev.npc.host.HostName;
import dev.npc.remote.RemoteName;

/** The bucket layout of docs/format.md (format 1): every key npc reads or writes comes from here. */
public final class Layout {
    public static final String REMOTES = "remotes/";
    public static final String HOSTS = "hosts/";
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
        return HOSTS + HostName.check(host) + "/desired.json";
    }

    public static String state(String host) {
        return HOSTS + HostName.check(host) + "/state.json";
    }

    public static String historyPrefix(String host) {
        return HOSTS + HostName.check(host) + "/history/";
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
