package dev.npc.cli.fleet;

import dev.npc.cli.support.Sizes;
import dev.npc.cli.support.Table;
import dev.npc.digest.Sha256;
import dev.npc.fleet.FleetReader;
import dev.npc.fleet.HostStatus;
import dev.npc.fleet.HostView;
import dev.npc.text.SafeText;

import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders the fleet as the status table or as the documented JSON schema. */
final class StatusView {
    private static final String RESET = "\u001B[0m";

    private StatusView() { }

    static String table(FleetReader.Fleet fleet, Instant now, boolean colour) {
        Table table = new Table("HOST", "STATUS", "REMOTE", "REMOTE VERSION", "RUNNING", "LAST SEEN", "PUBLISHED", "DETAIL");
        for (HostView host : fleet.hosts()) {
            // Everything but the status and the phase (both one of npc's own names) comes from the
            // bucket (keys, desired.json, state.json): never raw.
            String status = symbol(host.status(), colour) + host.status().label()
                    + (host.status() == HostStatus.IN_PROGRESS && host.phase() != null ? " (" + host.phase() + ")" : "");
            if (colour) {
                status = colour(host.status()) + status + RESET;
            }
            table.row(SafeText.line(host.host()), status, dash(host.remoteName()), Sha256.shortForm(host.remoteVersion()),
                    Sha256.shortForm(host.runningVersion()), ago(host.lastSeen(), now),
                    host.remote() == null ? "-" : ago(host.remote().updated(), now),
                    host.status() == HostStatus.IN_PROGRESS ? "-" : oneLine(host.detail()));
        }
        return table.render() + summary(fleet.hosts()) + "\n";
    }

    static String summary(List<HostView> hosts) {
        Map<HostStatus, Integer> counts = new EnumMap<>(HostStatus.class);
        hosts.forEach(h -> counts.merge(h.status(), 1, Integer::sum));
        StringBuilder line = new StringBuilder(hosts.size() + (hosts.size() == 1 ? " host" : " hosts"));
        counts.forEach((status, count) -> line.append(", ").append(count).append(' ').append(status.label()));
        return line.toString();
    }

    /** The stable JSON schema of {@code npc status --json} (documented in docs/format.md). */
    static Map<String, Object> json(FleetReader.Fleet fleet, String storeUrl, Instant now) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", 1);
        root.put("store", storeUrl);
        root.put("generatedAt", now.toString());
        Map<String, Integer> summary = new LinkedHashMap<>();
        for (HostStatus status : HostStatus.values()) {
            summary.put(status.id(), 0);
        }
        List<Map<String, Object>> hosts = new java.util.ArrayList<>();
        for (HostView host : fleet.hosts()) {
            summary.merge(host.status().id(), 1, Integer::sum);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("host", host.host());
            row.put("status", host.status().id());
            row.put("problem", host.status().isProblem());
            row.put("remote", host.remoteName());
            row.put("remoteVersion", host.remoteVersion());
            row.put("runningVersion", host.runningVersion());
            row.put("phase", host.phase());
            row.put("lastSeen", host.lastSeen() == null ? null : host.lastSeen().toString());
            row.put("publishedAt", host.remote() == null || host.remote().updated() == null ? null
                    : host.remote().updated().toString());
            row.put("detail", host.detail());
            hosts.add(row);
        }
        root.put("summary", summary);
        root.put("hosts", hosts);
        return root;
    }

    private static String symbol(HostStatus status, boolean colour) {
        if (!colour) {
            return "";
        }
        return switch (status) {
            case UP_TO_DATE -> "\u2713 ";
            case FAILED -> "\u2717 ";
            case ROLLED_BACK -> "\u21BA ";
            case STALE -> "\u231B ";
            case PAUSED -> "\u23F8 ";
            case WAITING -> "\u23F2 ";
            case REBOOT_REQUIRED -> "\u21BB ";
            case IN_PROGRESS, PENDING -> "\u2026 ";
            case UNKNOWN -> "? ";
        };
    }

    private static String colour(HostStatus status) {
        return switch (status) {
            case UP_TO_DATE -> "\u001B[32m";
            case FAILED, ROLLED_BACK, STALE -> "\u001B[31m";
            case IN_PROGRESS, PENDING, REBOOT_REQUIRED -> "\u001B[33m";
            case WAITING -> "\u001B[36m";
            case PAUSED, UNKNOWN -> "\u001B[36m";
        };
    }

    private static String ago(Instant then, Instant now) {
        return then == null ? "-" : Sizes.age(then, now) + " ago";
    }

    private static String dash(String value) {
        return value == null ? "-" : SafeText.line(value);
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        String line = text.strip();
        line = line.length() > 100 ? line.substring(0, 97) + "..." : line;
        return SafeText.line(line);
    }
}
