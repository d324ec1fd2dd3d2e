package dev.npc.cli.fleet.page;

import dev.npc.cli.support.Sizes;
import dev.npc.digest.Sha256;
import dev.npc.fleet.FleetReader;
import dev.npc.fleet.HostHistory;
import dev.npc.fleet.HostStatus;
import dev.npc.fleet.HostView;
import dev.npc.fleet.RolloutRecord;
import dev.npc.host.HostState;
import dev.npc.remote.RemoteCatalog;
import dev.npc.remote.RemoteCatalog.RemoteInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet page: one self-contained HTML document (no script, no external style, font or image)
 * that {@code npc status --html} writes, {@code --serve} serves and {@code --publish} puts in the
 * bucket. It shows the same model as {@code npc status} (problems first, the same status labels),
 * the remotes, the last rollout's waves and each host's history, opened by a click on the host: a
 * link to the history row, which CSS shows when it is the URL's target, so it works without
 * JavaScript and under a policy that forbids every script. Text from the bucket goes through
 * {@link Html}. Labels always accompany colours and symbols.
 *
 * <p>The served page reloads itself (a meta refresh), which a fragment alone cannot survive: a
 * reload to the page's own address drops a fragment selected since, and a browser treats a
 * refresh to an address with a fragment as a jump within the page, so a page opened at one never
 * reloads again. So on the served page a host's link also names the host in the query, the server
 * opens that host's history (class {@code open}), and the refresh names the page's address
 * without a fragment: the reload keeps the selection and the browser keeps the scroll position.
 */
public final class FleetPage {
    /**
     * Everything one rendering shows. {@code history}: the hosts whose history was read (a bounded
     * number). {@code refresh}: how often the served page reloads itself, null for a written page.
     */
    public record Snapshot(String storeUrl, Instant now, FleetReader.Fleet fleet, RolloutRecord rollout,
                           String rolloutProblem, Map<String, List<HostHistory.Entry>> history, Duration refresh) {
        /** The same page as a file or the bucket keeps it: it does not reload itself. */
        public Snapshot written() {
            return new Snapshot(storeUrl, now, fleet, rollout, rolloutProblem, history, null);
        }

        /** {@code host} if it is a host on this page, else null: what a served page's query may select. */
        public String hostNamed(String host) {
            return fleet.hosts().stream().map(HostView::host).filter(name -> name.equals(host)).findFirst().orElse(null);
        }
    }

    /** The query of a served page that opens a host's history: {@code ?host=NAME}. */
    public static final String SELECT = "host=";

    private static final String STYLE = """
            :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
            body{margin:0 auto;max-width:90rem;padding:1rem;line-height:1.4}
            h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0 0 .5rem}
            .meta{color:#444;margin:0;overflow-wrap:anywhere}li{overflow-wrap:anywhere}
            .counts{list-style:none;padding:0;margin:.75rem 0;display:flex;flex-wrap:wrap;gap:.5rem}
            table{border-collapse:collapse;width:100%}
            caption{text-align:left;color:#444;padding:.25rem 0}
            th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #ccc}
            thead th{background:#f2f2f2;border-bottom:2px solid #888}
            thead th,tbody th,td:not(.wrap){white-space:nowrap}.wrap{overflow-wrap:anywhere;min-width:12rem}
            .v{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
            tr.problem>*:first-child{border-left:.35rem solid #b00020}
            a{color:#0645ad}a:focus{outline:3px solid #0645ad;outline-offset:1px}
            .st{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;border:1px solid currentColor;white-space:nowrap;font-weight:600}
            .bad{background:#fde2e1;color:#8a1111}.warn{background:#fff0d6;color:#6b3a00}
            .busy{background:#fff7cc;color:#594700}.calm{background:#e1eefc;color:#0b3d75}.good{background:#dcf5e3;color:#0d5c26}
            tr.history{display:none}tr.history:target,tr.history.open{display:table-row}
            tr.history>td{background:#fafafa;border-left:.35rem solid #0645ad}
            ol.timeline{list-style:none;margin:0;padding:0 0 0 1rem;border-left:2px solid #888}
            ol.timeline>li{margin:0 0 .75rem;padding-left:.5rem}
            pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f2f2f2;padding:.5rem;margin:.25rem 0;max-height:20rem;overflow:auto}
            ol.waves{padding-left:1.5rem}ol.waves>li{margin:.25rem 0}
            footer{margin-top:2rem;color:#444;font-size:.9rem}
            @media (max-width:45rem){
            body{padding:.5rem}
            table.rows thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
            table.rows,table.rows tbody,table.rows caption{display:block}
            table.rows tr{display:block;border-bottom:2px solid #888;padding:.25rem 0}
            table.rows td,table.rows th{display:block;border:0;padding:.15rem .5rem;overflow-wrap:anywhere;white-space:normal}
            .wrap{min-width:0}
            table.rows td[data-label]::before{content:attr(data-label) ": ";font-weight:600;font-family:system-ui,sans-serif}
            table.rows td:empty{display:none}
            table.rows tr.history{display:none}table.rows tr.history:target,table.rows tr.history.open{display:block}
            }
            """;
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'sha256-" + sha256Base64(STYLE)
            + "'; img-src 'none'; base-uri 'none'; form-action 'none'";

    private FleetPage() { }

    /**
     * The policy the page declares for itself (a meta element: also from file:// and the bucket):
     * nothing may load, no script may run, only the page's own style applies.
     */
    public static String contentSecurityPolicy() {
        return CONTENT_SECURITY_POLICY;
    }

    /** The page with no host selected. */
    public static String render(Snapshot page) {
        return render(page, null);
    }

    /**
     * @param selected on a served page, the host whose history is open (a host of the page, see
     *     {@link Snapshot#hostNamed}), or null
     */
    public static String render(Snapshot page, String selected) {
        StringBuilder out = new StringBuilder(16 * 1024);
        List<HostView> hosts = page.fleet().hosts();
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CONTENT_SECURITY_POLICY).append("\">\n")
                .append("<meta name=\"referrer\" content=\"no-referrer\">\n");
        if (page.refresh() != null) {
            out.append("<meta http-equiv=\"refresh\" content=\"").append(Math.max(1, page.refresh().toSeconds()))
                    .append("; url=./").append(selected == null ? "" : "?" + SELECT + Html.text(selected)).append("\">\n");
        }
        out.append("<title>npc fleet: ").append(Html.text(summary(hosts))).append("</title>\n")
                .append("<style>").append(STYLE).append("</style>\n</head>\n<body>\n<header>\n<h1>npc fleet</h1>\n")
                .append("<p class=\"meta\">Store <span class=\"v\">").append(Html.text(page.storeUrl())).append("</span>, read ")
                .append(time(page.now())).append(page.refresh() == null ? ""
                        : "; reloads every " + Math.max(1, page.refresh().toSeconds()) + "s").append(".</p>\n")
                .append("</header>\n<main>\n");
        counts(out, hosts);
        hostTable(out, page, selected);
        rollout(out, page);
        remoteTable(out, page);
        out.append("</main>\n<footer>\n<p>Problems first: failed, rolled back, stale, then the rest in the order of npc status."
                        + " Select a host to see its history. History is read for the first ")
                .append(PageSource.HISTORY_HOSTS).append(" hosts in this order, at most ").append(PageSource.HISTORY_RECORDS)
                .append(" records each, newest first.</p>\n<p>Written by npc status; every text from the store is shown as text.</p>\n")
                .append("</footer>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void counts(StringBuilder out, List<HostView> hosts) {
        Map<HostStatus, Integer> counts = new EnumMap<>(HostStatus.class);
        hosts.forEach(h -> counts.merge(h.status(), 1, Integer::sum));
        out.append("<ul class=\"counts\" aria-label=\"Hosts by status\">\n<li>").append(hosts.size())
                .append(hosts.size() == 1 ? " host" : " hosts").append("</li>\n");
        counts.forEach((status, count) -> out.append("<li>").append(badge(status)).append(' ').append(count).append("</li>\n"));
        out.append("</ul>\n");
    }

    private static void hostTable(StringBuilder out, Snapshot page, String selected) {
        List<HostView> hosts = page.fleet().hosts();
        out.append("<section aria-labelledby=\"hosts\">\n<h2 id=\"hosts\">Hosts</h2>\n");
        if (hosts.isEmpty()) {
            out.append("<p>No hosts in this store yet; add one with <code>npc hosts set HOST --remote NAME</code>.</p>\n</section>\n");
            return;
        }
        out.append("<table class=\"rows hosts\">\n<caption>Every host, problems first; select a host for its history.</caption>\n")
                .append("<thead><tr><th scope=\"col\">Host</th><th scope=\"col\">Status</th><th scope=\"col\">Remote</th>")
                .append("<th scope=\"col\">Published version</th><th scope=\"col\">Running version</th>")
                .append("<th scope=\"col\">Last seen</th><th scope=\"col\">Published</th><th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n");
        boolean served = page.refresh() != null;
        for (HostView host : hosts) {
            // Host names were checked against HostName (letters, digits, '.', '_', '-'): safe as ids, escaped anyway.
            String id = Html.text(host.host());
            out.append("<tr id=\"host-").append(id).append("\" class=\"host").append(host.status().isProblem() ? " problem" : "")
                    .append("\" data-status=\"").append(host.status().id()).append("\">")
                    .append("<th scope=\"row\" data-label=\"Host\"><a href=\"").append(served ? "./?" + SELECT + id : "")
                    .append("#history-").append(id).append("\">")
                    .append(id).append("</a></th>")
                    .append("<td data-label=\"Status\">").append(badge(host.status()))
                    .append(host.status() == HostStatus.IN_PROGRESS && host.phase() != null ? " (" + host.phase() + ")" : "")
                    .append("</td>")
                    .append("<td data-label=\"Remote\">").append(dash(host.remoteName())).append("</td>")
                    .append("<td data-label=\"Published version\" class=\"v\">").append(Html.text(Sha256.shortForm(host.remoteVersion()))).append("</td>")
                    .append("<td data-label=\"Running version\" class=\"v\">").append(Html.text(Sha256.shortForm(host.runningVersion()))).append("</td>")
                    .append("<td data-label=\"Last seen\">").append(ago(host.lastSeen(), page.now())).append("</td>")
                    .append("<td data-label=\"Published\">").append(host.remote() == null ? "-" : ago(host.remote().updated(), page.now()))
                    .append("</td>")
                    .append("<td data-label=\"Detail\" class=\"wrap\">").append(Html.text(host.detail())).append("</td></tr>\n");
            out.append("<tr id=\"history-").append(id).append("\" class=\"history").append(host.host().equals(selected) ? " open" : "")
                    .append("\"><td colspan=\"8\">\n<h3>History of ")
                    .append(id).append("</h3>\n");
            history(out, page, host.host());
            out.append("<p><a href=\"").append(served ? "./" : "").append("#host-").append(id).append("\">Close the history of ").append(id).append("</a></p>\n</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static void history(StringBuilder out, Snapshot page, String host) {
        List<HostHistory.Entry> entries = page.history().get(host);
        if (entries == null) {
            out.append("<p>Not read: the page reads the history of the first ").append(PageSource.HISTORY_HOSTS)
                    .append(" hosts only. <code>npc status --remote NAME --html FILE</code> shows fewer hosts.</p>\n");
            return;
        }
        if (entries.isEmpty()) {
            out.append("<p>No history records yet: the host records one per finished activation attempt.</p>\n");
            return;
        }
        out.append("<ol class=\"timeline\" aria-label=\"History of ").append(Html.text(host)).append(", newest first\">\n");
        for (HostHistory.Entry entry : entries) {
            out.append("<li>");
            HostState state = entry.state();
            HostState.Attempt attempt = state == null ? null : state.lastAttempt();
            if (attempt == null) {
                out.append("<span class=\"st warn\">").append(Html.text(entry.result().replace('-', ' '))).append("</span> ")
                        .append("<span class=\"v\">").append(Html.text(entry.key())).append("</span>")
                        .append(entry.problem() == null ? ": a record without an attempt" : ": cannot be read: " + Html.text(entry.problem()));
                out.append("</li>\n");
                continue;
            }
            String result = attempt.result() == null ? entry.result() : attempt.result().toString();
            Instant when = attempt.finishedAt() != null ? attempt.finishedAt() : state.updatedAt();
            out.append(when == null ? "time unknown" : time(when)).append(" <span class=\"st ").append(resultClass(result)).append("\">")
                    .append(Html.text(result.replace('-', ' '))).append("</span> version <span class=\"v\">")
                    .append(Html.text(Sha256.shortForm(attempt.sha256()))).append("</span>");
            if (state.desired() != null && state.desired().remote() != null) {
                out.append(" of ").append(Html.text(state.desired().remote()));
            }
            out.append(", attempt ").append(attempt.attempt());
            if (attempt.error() != null) {
                out.append("<br>").append(Html.text(attempt.error()));
            }
            if (attempt.logTail() != null && !attempt.logTail().isBlank()) {
                out.append("<details><summary>Log tail</summary><pre>").append(Html.lines(attempt.logTail())).append("</pre></details>");
            }
            out.append("</li>\n");
        }
        out.append("</ol>\n");
    }

    private static void rollout(StringBuilder out, Snapshot page) {
        out.append("<section aria-labelledby=\"rollout\">\n<h2 id=\"rollout\">Last rollout</h2>\n");
        RolloutRecord rollout = page.rollout();
        if (page.rolloutProblem() != null) {
            out.append("<p>").append(badge("cannot be read", "bad")).append(' ').append(Html.text(page.rolloutProblem())).append("</p>\n");
        } else if (rollout == null) {
            out.append("<p>None recorded: <code>npc rollout</code> records the last one.</p>\n");
        } else {
            out.append("<p>").append(badge(rollout.state().toString(), switch (rollout.state()) {
                        case STOPPED -> "bad";
                        case RUNNING -> "busy";
                        case COMPLETE -> "good";
                        case UNKNOWN -> "calm";
                    })).append(" version <span class=\"v\">").append(Html.text(Sha256.shortForm(rollout.version())))
                    .append("</span> from ").append(Html.text(rollout.from()))
                    .append(", started ").append(ago(rollout.startedAt(), page.now()))
                    .append(", updated ").append(ago(rollout.updatedAt(), page.now())).append(".</p>\n<ol class=\"waves\" aria-label=\"Waves\">\n");
            for (RolloutRecord.Wave wave : rollout.waves()) {
                out.append("<li>").append(Html.text(wave.remote())).append(' ')
                        .append(badge(wave.state().toString().replace('-', ' '), waveClass(wave.state())));
                if (wave.detail() != null) {
                    out.append(' ').append(Html.text(wave.detail()));
                }
                out.append("</li>\n");
            }
            out.append("</ol>\n");
        }
        out.append("</section>\n");
    }

    private static void remoteTable(StringBuilder out, Snapshot page) {
        out.append("<section aria-labelledby=\"remotes\">\n<h2 id=\"remotes\">Remotes</h2>\n");
        Map<String, RemoteInfo> remotes = new TreeMap<>(page.fleet().remotes());
        if (remotes.isEmpty()) {
            out.append("<p>No remotes yet: <code>npc push</code> publishes one.</p>\n</section>\n");
            return;
        }
        Map<String, Integer> following = new TreeMap<>();
        Map<String, Integer> running = new TreeMap<>();
        page.fleet().hosts().forEach(h -> {
            if (h.remoteName() != null) {
                following.merge(h.remoteName(), 1, Integer::sum);
                if (h.remoteVersion() != null && h.remoteVersion().equals(h.runningVersion())) {
                    running.merge(h.remoteName(), 1, Integer::sum);
                }
            }
        });
        out.append("<table class=\"rows remotes\">\n<caption>Every remote in the store, by name.</caption>\n")
                .append("<thead><tr><th scope=\"col\">Remote</th><th scope=\"col\">Version</th><th scope=\"col\">Source revision</th>")
                .append("<th scope=\"col\">Signature</th><th scope=\"col\">Stored</th><th scope=\"col\">Published</th>")
                .append("<th scope=\"col\">Hosts running it</th></tr></thead>\n<tbody>\n");
        for (RemoteInfo remote : remotes.values().stream().sorted(Comparator.comparing(RemoteInfo::name)).toList()) {
            boolean damaged = RemoteCatalog.DAMAGED.equals(remote.stored());
            out.append("<tr class=\"remote").append(damaged ? " problem" : "").append("\"><th scope=\"row\" data-label=\"Remote\">")
                    .append(Html.text(remote.name())).append("</th>")
                    .append("<td data-label=\"Version\" class=\"v\">").append(Html.text(Sha256.shortForm(remote.sha256()))).append("</td>")
                    .append("<td data-label=\"Source revision\" class=\"v\">").append(dash(remote.sourceRev())).append("</td>")
                    .append("<td data-label=\"Signature\">").append(remote.signed()
                            ? badge("signed", "good") + (remote.keyId() == null ? "" : " by key <span class=\"v\">" + Html.text(remote.keyId()) + "</span>")
                            : badge("unsigned", "warn")).append("</td>")
                    .append("<td data-label=\"Stored\">").append(badge(remote.stored(), damaged ? "bad" : "calm"))
                    .append(remote.storedProblem() == null ? "" : " " + Html.text(remote.storedProblem())).append("</td>")
                    .append("<td data-label=\"Published\">").append(ago(remote.updated(), page.now())).append("</td>")
                    .append("<td data-label=\"Hosts running it\">").append(hostsRunning(running.getOrDefault(remote.name(), 0),
                            following.getOrDefault(remote.name(), 0))).append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    /** "2 of 3": of the hosts that follow the remote, how many run its version; "0" when none follows it. */
    private static String hostsRunning(int running, int following) {
        return following == 0 ? "0" : running + " of " + following;
    }

    /** "3 hosts, 1 failed, 2 up to date", as the last line of npc status. */
    private static String summary(List<HostView> hosts) {
        Map<HostStatus, Integer> counts = new EnumMap<>(HostStatus.class);
        hosts.forEach(h -> counts.merge(h.status(), 1, Integer::sum));
        StringBuilder line = new StringBuilder(hosts.size() + (hosts.size() == 1 ? " host" : " hosts"));
        counts.forEach((status, count) -> line.append(", ").append(count).append(' ').append(status.label()));
        return line.toString();
    }

    private static String badge(HostStatus status) {
        String kind = switch (status) {
            case FAILED, ROLLED_BACK -> "bad";
            case STALE -> "warn";
            case IN_PROGRESS, PENDING, REBOOT_REQUIRED -> "busy";
            case WAITING, PAUSED, UNKNOWN -> "calm";
            case UP_TO_DATE -> "good";
        };
        return "<span class=\"st " + kind + "\"><span aria-hidden=\"true\">" + mark(status) + " </span>"
                + status.label() + "</span>";
    }

    /**
     * The sign beside a status label (never instead of it). Not npc status's terminal signs: the page
     * may load no font, and the hourglass, pause and timer signs are missing from common system
     * fonts, so these come from the arrows, geometric shapes and dingbats that DejaVu and the
     * platforms' default fonts all have.
     */
    private static String mark(HostStatus status) {
        return switch (status) {
            case UP_TO_DATE -> "\u2713";
            case FAILED -> "\u2717";
            case ROLLED_BACK -> "\u21BA";
            case STALE -> "\u25F7";
            case PAUSED -> "\u2016";
            case WAITING -> "\u25D4";
            case REBOOT_REQUIRED -> "\u21BB";
            case IN_PROGRESS, PENDING -> "\u2026";
            case UNKNOWN -> "?";
        };
    }

    private static String badge(String label, String kind) {
        return "<span class=\"st " + kind + "\">" + Html.text(label) + "</span>";
    }

    private static String waveClass(RolloutRecord.WaveState state) {
        return switch (state) {
            case UP_TO_DATE -> "good";
            case WAITING -> "busy";
            case NOT_REACHED, UNKNOWN -> "calm";
            case FAILED, TIMED_OUT, NO_HOSTS, NO_REMOTE -> "bad";
        };
    }

    private static String resultClass(String result) {
        return switch (result) {
            case "success" -> "good";
            case "failed", "rolled-back" -> "bad";
            default -> "warn";
        };
    }

    private static String ago(Instant then, Instant now) {
        if (then == null) {
            return "-";
        }
        return "<time datetime=\"" + then.truncatedTo(ChronoUnit.SECONDS) + "\">" + Sizes.age(then, now) + " ago</time>";
    }

    private static String time(Instant when) {
        Instant seconds = when.truncatedTo(ChronoUnit.SECONDS);
        return "<time datetime=\"" + seconds + "\">" + seconds.toString().replace('T', ' ').replace("Z", " UTC") + "</time>";
    }

    private static String dash(String value) {
        return value == null ? "-" : Html.text(value);
    }

    private static String sha256Base64(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
