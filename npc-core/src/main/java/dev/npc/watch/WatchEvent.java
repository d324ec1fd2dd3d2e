package dev.npc.watch;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;

/**
 * One change worth telling, as every destination receives it: the webhook's JSON body, the
 * {@code --on-change} command's stdin (docs/format.md, "npc watch events").
 *
 * @param text    one line for people, Slack-compatible: every part that came from the bucket is
 *                escaped ({@link SlackText})
 * @param id      stable for one fact ({@code host-failed/web-1/<sha256>}): a receiver can drop repeats
 * @param host    null for a rollout event
 * @param remote  the remote the host follows, or the wave a rollout stopped at
 * @param version the sha256 the event is about, or null (a remote that does not exist)
 * @param detail  the host's error or the wave's reason, one line, control characters made visible
 * @param at      when npc watch saw the change
 * @param store   the store watched, so one channel can hear several fleets
 */
@JsonPropertyOrder({"text", "event", "id", "host", "remote", "version", "detail", "at", "store"})
public record WatchEvent(String text, EventKind event, String id, String host, String remote, String version,
                         String detail, Instant at, String store) {
}
