package dev.npc.daemon.config;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The daemon's settings as written in {@code <state-dir>/config.json} (by {@code npc-daemon install})
 * and as given by flags. Every field is optional here; {@link Settings#resolve} fills defaults and
 * checks values. Durations are text such as {@code 60s}, {@code 5m}, {@code 2h}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DaemonConfig(String store, String endpointUrl, String region, String host, String configuration,
                           String interval, String action,
                           List<String> healthCommands, List<String> healthUrls, String healthTimeout,
                           String preActivate, String postActivate, String onFailure,
                           List<String> extraSubstituters, String buildTimeout, String switchTimeout,
                           Integer retries, String retryBackoff, String metricsFile,
                           String nixBin, String systemctl, String currentSystem, String systemProfile,
                           String selfPath, List<String> trustedKeys, List<String> allowedRemotes,
                           List<String> substituterKeys, Integer keepGenerations, Boolean healthStrict,
                           String bootedSystem) {

    public static final DaemonConfig EMPTY = new DaemonConfig(null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);


    /** The shape before allowed remotes and the activation settings were added; kept so existing callers compile unchanged. */
    public DaemonConfig(String store, String endpointUrl, String region, String host, String configuration,
                        String interval, String action,
                        List<String> healthCommands, List<String> healthUrls, String healthTimeout,
                        String preActivate, String postActivate, String onFailure,
                        List<String> extraSubstituters, String buildTimeout, String switchTimeout,
                        Integer retries, String retryBackoff, String metricsFile,
                        String nixBin, String systemctl, String currentSystem, String systemProfile,
                        String selfPath, List<String> trustedKeys) {
        this(store, endpointUrl, region, host, configuration, interval, action, healthCommands, healthUrls,
                healthTimeout, preActivate, postActivate, onFailure, extraSubstituters, buildTimeout, switchTimeout,
                retries, retryBackoff, metricsFile, nixBin, systemctl, currentSystem, systemProfile, selfPath,
                trustedKeys, null, null, null, null, null);
    }

    /** This config with the activation settings replaced. */
    public DaemonConfig withActivation(List<String> substituterKeys, Integer keepGenerations, Boolean healthStrict,
                                       String bootedSystem) {
        return new DaemonConfig(store, endpointUrl, region, host, configuration, interval, action, healthCommands,
                healthUrls, healthTimeout, preActivate, postActivate, onFailure, extraSubstituters, buildTimeout,
                switchTimeout, retries, retryBackoff, metricsFile, nixBin, systemctl, currentSystem, systemProfile,
                selfPath, trustedKeys, allowedRemotes, substituterKeys, keepGenerations, healthStrict, bootedSystem);
    }

    /** This config with these allowed remotes. */
    public DaemonConfig withAllowedRemotes(List<String> remotes) {
        return new DaemonConfig(store, endpointUrl, region, host, configuration, interval, action, healthCommands,
                healthUrls, healthTimeout, preActivate, postActivate, onFailure, extraSubstituters, buildTimeout,
                switchTimeout, retries, retryBackoff, metricsFile, nixBin, systemctl, currentSystem, systemProfile,
                selfPath, trustedKeys, remotes, substituterKeys, keepGenerations, healthStrict, bootedSystem);
    }

    /** This config with every field {@code over} sets replaced by {@code over}'s value. */
    public DaemonConfig overlay(DaemonConfig over) {
        return new DaemonConfig(
                pick(over.store, store), pick(over.endpointUrl, endpointUrl), pick(over.region, region),
                pick(over.host, host), pick(over.configuration, configuration), pick(over.interval, interval),
                pick(over.action, action), pick(over.healthCommands, healthCommands), pick(over.healthUrls, healthUrls),
                pick(over.healthTimeout, healthTimeout), pick(over.preActivate, preActivate),
                pick(over.postActivate, postActivate), pick(over.onFailure, onFailure),
                pick(over.extraSubstituters, extraSubstituters), pick(over.buildTimeout, buildTimeout),
                pick(over.switchTimeout, switchTimeout), pick(over.retries, retries),
                pick(over.retryBackoff, retryBackoff), pick(over.metricsFile, metricsFile), pick(over.nixBin, nixBin),
                pick(over.systemctl, systemctl), pick(over.currentSystem, currentSystem),
                pick(over.systemProfile, systemProfile), pick(over.selfPath, selfPath),
                pick(over.trustedKeys, trustedKeys), pick(over.allowedRemotes, allowedRemotes),
                pick(over.substituterKeys, substituterKeys),
                pick(over.keepGenerations, keepGenerations), pick(over.healthStrict, healthStrict),
                pick(over.bootedSystem, bootedSystem));
    }

    private static <T> T pick(T over, T base) {
        if (over instanceof List<?> list && list.isEmpty()) {
            return base;
        }
        return over != null ? over : base;
    }

    /** Settings that come from the environment (NPC_STORE, NPC_NIX_BIN, NPC_SYSTEMCTL_BIN, NPC_SELF_PATH). */
    public static DaemonConfig fromEnvironment(java.util.Map<String, String> env) {
        return new DaemonConfig(blankToNull(env.get("NPC_STORE")), null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, blankToNull(env.get("NPC_NIX_BIN")),
                blankToNull(env.get("NPC_SYSTEMCTL_BIN")), null, null, blankToNull(env.get("NPC_SELF_PATH")), null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
