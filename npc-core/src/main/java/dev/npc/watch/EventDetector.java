package dev.npc.watch;

import dev.npc.digest.Sha256;
import dev.npc.fleet.FleetReader.Fleet;
import dev.npc.fleet.HostStatus;
import dev.npc.fleet.HostView;
import dev.npc.fleet.RolloutRecord;
import dev.npc.watch.WatchState.HostMark;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Compares what npc watch remembers with a new view of the fleet and says what changed. A pure
 * function: the events follow from the marks and the view alone, so a second look at an unchanged
 * fleet, or a restart that reloads the marks, finds nothing new.
 *
 * <p>Only failed, rolled back and stale are trouble, and only "up to date" (or "reboot required":
 * it runs the version) ends it. Every other status (in progress, pending, waiting, paused,
 * unknown) is a passing state: the mark stays, so a host that retries and fails again on the same
 * version is not announced again.
 */
public final class EventDetector {
    /** The ids kept per host in trouble: enough for every kind on a few versions. */
    static final int MAX_SENT_IDS = 16;

    private final String store;

    public EventDetector(String store) {
        this.store = store;
    }

    /** The events of one look, and what to remember after it. */
    public record Change(List<WatchEvent> events, Map<String, HostMark> hosts, String rollout) { }

    public Change detect(Map<String, HostMark> before, String rolloutBefore, Fleet fleet,
                         Optional<RolloutRecord> rollout, Instant now) {
        List<WatchEvent> events = new ArrayList<>();
        Map<String, HostMark> after = new HashMap<>();
        for (HostView view : fleet.hosts()) {
            HostMark previous = before.get(view.host());
            EventKind trouble = trouble(view.status());
            if (trouble != null) {
                String version = view.remoteVersion();
                String id = trouble.id() + "/" + view.host() + "/" + (version == null ? "-" : version);
                List<String> sent = previous == null ? List.of() : previous.sent();
                if (previous != null && previous.kind() == trouble && Objects.equals(previous.version(), version)) {
                    after.put(view.host(), previous);
                    continue;
                }
                if (!sent.contains(id)) {
                    events.add(hostEvent(trouble, id, view, now));
                    sent = append(sent, id);
                }
                after.put(view.host(), new HostMark(trouble, version, now, sent));
            } else if (view.status().runsDesired()) {
                if (previous != null) {
                    String version = view.remoteVersion();
                    events.add(hostEvent(EventKind.HOST_RECOVERED, EventKind.HOST_RECOVERED.id() + "/" + view.host()
                            + "/" + (version == null ? "-" : version), view, now));
                }
            } else if (previous != null) {
                after.put(view.host(), previous);
            }
        }
        String rolloutAfter = rolloutBefore;
        if (rollout.isPresent() && rollout.get().state() == RolloutRecord.State.STOPPED) {
            RolloutRecord record = rollout.get();
            String key = record.version() + "@" + record.startedAt();
            if (!key.equals(rolloutBefore)) {
                events.add(rolloutEvent(record, key, now));
                rolloutAfter = key;
            }
        }
        return new Change(List.copyOf(events), Map.copyOf(after), rolloutAfter);
    }

    private static EventKind trouble(HostStatus status) {
        return switch (status) {
            case FAILED -> EventKind.HOST_FAILED;
            case ROLLED_BACK -> EventKind.HOST_ROLLED_BACK;
            case STALE -> EventKind.HOST_STALE;
            default -> null;
        };
    }

    private static List<String> append(List<String> sent, String id) {
        List<String> next = new ArrayList<>(sent);
        next.add(id);
        return List.copyOf(next.subList(Math.max(0, next.size() - MAX_SENT_IDS), next.size()));
    }

    private WatchEvent hostEvent(EventKind kind, String id, HostView view, Instant now) {
        String host = SlackText.escape(view.host());
        String on = view.remoteName() == null ? "" : " " + SlackText.escape(view.remoteName())
                + (view.remoteVersion() == null ? "" : " " + Sha256.shortForm(view.remoteVersion()));
        String detail = kind == EventKind.HOST_RECOVERED ? null : view.detail();
        String what = switch (kind) {
            case HOST_FAILED -> host + " failed" + (on.isEmpty() ? "" : " on" + on);
            case HOST_ROLLED_BACK -> host + " rolled back" + on;
            case HOST_STALE -> host + " is stale";
            default -> host + " recovered: up to date" + (on.isEmpty() ? "" : " on" + on);
        };
        return new WatchEvent(text(what, detail), kind, id, view.host(), view.remoteName(), view.remoteVersion(),
                SlackText.plain(detail), now, store);
    }

    private WatchEvent rolloutEvent(RolloutRecord record, String key, Instant now) {
        RolloutRecord.Wave stoppedAt = record.waves().stream()
                .filter(w -> w.state() != RolloutRecord.WaveState.UP_TO_DATE
                        && w.state() != RolloutRecord.WaveState.NOT_REACHED
                        && w.state() != RolloutRecord.WaveState.WAITING)
                .findFirst().orElse(null);
        String wave = stoppedAt == null ? null : stoppedAt.remote();
        String detail = stoppedAt == null ? null : stoppedAt.detail();
        String what = "rollout of " + SlackText.escape(record.from()) + " " + Sha256.shortForm(record.version())
                + " stopped" + (wave == null ? "" : " at " + SlackText.escape(wave));
        return new WatchEvent(text(what, detail), EventKind.ROLLOUT_STOPPED, EventKind.ROLLOUT_STOPPED.id() + "/" + key,
                null, wave, record.version(), SlackText.plain(detail), now, store);
    }

    private String text(String what, String hostileDetail) {
        String detail = SlackText.escape(hostileDetail);
        return "npc " + SlackText.escape(store) + ": " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
