package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.support.Table;
import dev.npc.host.Desired;
import dev.npc.host.HostName;
import dev.npc.json.InvalidDocumentException;
import dev.npc.json.Json;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "hosts", mixinStandardHelpOptions = true,
        description = {"Decide which remote each host follows.",
                "",
                "Each host reads hosts/HOST/desired.json, the document Terraform also writes: the remote it"
                        + " follows and how it activates it."},
        subcommands = {HostsCommand.Set.class, HostsCommand.ListHosts.class, HostsCommand.Remove.class},
        footerHeading = "%nExamples:%n",
        footer = {"  npc hosts set web-1 --remote prod",
                "  npc hosts set canary-1 --remote prod-canary --action test",
                "  npc hosts list",
                "  npc hosts rm web-3"})
public final class HostsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Write HOST's desired.json: the remote it follows and how it activates.",
                    "",
                    "A remote that does not exist yet is allowed with a warning (the host waits for it); --strict"
                            + " refuses it (exit 1), so a typo cannot leave a host waiting forever."},
            footerHeading = "%nExamples:%n",
            footer = {"  npc hosts set web-1 --remote prod --configuration web",
                    "  npc hosts set tiny-1 --remote prod \\",
                    "      --prebuilt /nix/store/...-nixos-system-tiny-1",
                    "  npc hosts set db-1 --remote prod --reboot allowed \\",
                    "      --window 'Sat 02:00-04:00 UTC'"})
    static final class Set implements Callable<Integer> {
        @Mixin
        Console console;
        @Mixin
        StoreMixin storeOptions;
        @Parameters(paramLabel = "HOST", description = "Host name.")
        String host;
        @Option(names = "--remote", required = true, paramLabel = "NAME", description = "Remote the host follows.")
        String remote;
        @Option(names = "--configuration", paramLabel = "NAME",
                description = "nixosConfigurations attribute to build (default: the host name).")
        String configuration;
        @Option(names = "--action", paramLabel = "ACTION",
                description = "switch-to-configuration action: switch, boot or test (default: the daemon's).")
        String action;
        @Option(names = "--paused", description = "Keep the host on what it runs now.")
        boolean paused;
        @Option(names = "--prebuilt", paramLabel = "STORE-PATH",
                description = "A toplevel built elsewhere: the host realises it instead of evaluating.")
        String prebuilt;
        @Option(names = "--window", paramLabel = "WINDOW",
                description = "Maintenance window for switches and reboots, e.g. 'Sat 02:00-04:00 UTC' (default:"
                        + " the daemon's; see docs/format.md).")
        String window;
        @Option(names = "--reboot", paramLabel = "POLICY",
                description = "never or allowed: whether the daemon reboots into a new kernel (default: the daemon's).")
        String reboot;
        @Option(names = "--strict", description = "Refuse a remote that does not exist (instead of warning).")
        boolean strict;

        @Override
        public Integer call() throws Exception {
            HostName.check(host);
            Desired desired;
            try {
                desired = new Desired(remote, configuration, action, paused ? Boolean.TRUE : null, prebuilt, window,
                        reboot).validate("desired.json for " + host);
            } catch (InvalidDocumentException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            try (Store store = storeOptions.openOrCreate()) {
                if (store.head(Layout.remote(remote)).isEmpty()) {
                    String missing = "remote '" + remote + "' does not exist in " + store.url();
                    if (strict) {
                        console.err().println("npc: " + missing + "; " + host + " not changed (check the name with"
                                + " npc remotes, or push it first)");
                        console.err().flush();
                        return 1;
                    }
                    console.err().println("npc: warning: " + missing + " yet; " + host + " waits until it is pushed"
                            + " (npc push --remote " + remote + "); check the name if it should exist");
                    console.err().flush();
                }
                store.put(Layout.desired(host), Json.write(desired), Map.of());
            }
            console.println(host + " follows " + remote + (paused ? " (paused)" : ""));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List hosts and what they follow.",
                    "",
                    "A desired.json that cannot be read is shown as an ERROR row with the reason (exit 1)."},
            footerHeading = "%nExamples:%n",
            footer = {"  npc hosts list --store s3://my-fleet/npc",
                    "  npc hosts list --json | jq -r '.[] | select(.remote == \"prod\") | .host'"})
    static final class ListHosts implements Callable<Integer> {
        @Mixin
        Console console;
        @Mixin
        StoreMixin storeOptions;
        @Option(names = "--json", description = "Print a JSON array.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Store store = storeOptions.open()) {
                List<String> hosts = store.listChildren(Layout.HOSTS);
                List<Map<String, Object>> rows = new java.util.ArrayList<>();
                for (String host : hosts) {
                    rows.add(describe(store, host));
                }
                boolean unreadable = rows.stream().anyMatch(r -> r.get("error") != null);
                if (json) {
                    console.print(Json.writeString(rows));
                    return unreadable ? 1 : 0;
                }
                if (rows.isEmpty()) {
                    console.println("no hosts in " + store.url() + "; add one with: npc hosts set HOST --remote NAME");
                    return 0;
                }
                Table table = new Table("HOST", "REMOTE", "CONFIGURATION", "ACTION", "PAUSED", "PREBUILT", "NOTE");
                for (Map<String, Object> row : rows) {
                    if (row.get("error") != null) {
                        table.row(text(row.get("host")), "ERROR", "-", "-", "-", "-", text(row.get("error")));
                        continue;
                    }
                    table.row(text(row.get("host")), text(row.get("remote")), text(row.get("configuration")),
                            text(row.get("action")), Boolean.TRUE.equals(row.get("paused")) ? "yes" : "no",
                            text(row.get("prebuilt")), row.get("note") == null ? "" : text(row.get("note")));
                }
                console.print(table.render());
                if (unreadable) {
                    console.err().println("npc: some desired.json cannot be read (ERROR rows); those hosts follow"
                            + " nothing until it is fixed: npc hosts set HOST --remote NAME rewrites it");
                    console.err().flush();
                }
                return unreadable ? 1 : 0;
            }
        }

        private static Map<String, Object> describe(Store store, String host) throws IOException {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("host", host);
            try (GetResult result = store.get(Layout.desired(host), null)) {
                if (result instanceof GetResult.Found found) {
                    byte[] bytes = found.body().readNBytes(Json.MAX_DOCUMENT_BYTES + 1);
                    try {
                        Desired desired = Desired.parse(bytes, Layout.desired(host));
                        row.put("remote", desired.remote());
                        row.put("configuration", desired.configurationOr(host));
                        row.put("action", desired.action());
                        row.put("paused", desired.isPaused());
                        row.put("prebuilt", desired.prebuilt());
                    } catch (InvalidDocumentException e) {
                        row.put("error", e.getMessage());
                    }
                } else {
                    // Only reports are left (npc hosts rm without --purge): not an error, but not managed.
                    row.put("note", "no desired.json: follows nothing");
                }
            }
            return row;
        }

        /** Host names come from the bucket's keys: never printed raw. */
        private static String text(Object value) {
            return value == null ? "-" : dev.npc.text.SafeText.line(value.toString());
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = {"Stop managing HOST: delete its desired.json (its daemon then idles).",
                    "",
                    "Its reports (state.json and history) are kept unless --purge."},
            footerHeading = "%nExamples:%n",
            footer = {"  npc hosts rm web-3",
                    "  npc hosts rm web-3 --purge"})
    static final class Remove implements Callable<Integer> {
        @Mixin
        Console console;
        @Mixin
        StoreMixin storeOptions;
        @Parameters(paramLabel = "HOST", description = "Host name.")
        String host;
        @Option(names = "--purge", description = "Also delete the host's state.json and history.")
        boolean purge;

        @Override
        public Integer call() throws Exception {
            HostName.check(host);
            try (Store store = storeOptions.open()) {
                if (store.head(Layout.desired(host)).isEmpty() && store.head(Layout.state(host)).isEmpty()) {
                    throw new IllegalArgumentException("host '" + host + "' is not in " + store.url()
                            + "; see npc hosts list");
                }
                store.delete(Layout.desired(host));
                int deleted = 1;
                if (purge) {
                    store.delete(Layout.state(host));
                    deleted++;
                    // Records an older npc kept under hosts/<host>/history/ go too.
                    for (String prefix : List.of(Layout.historyPrefix(host), Layout.legacyHistoryPrefix(host))) {
                        for (ObjectInfo record : store.list(prefix)) {
                            store.delete(record.key());
                            deleted++;
                        }
                    }
                }
                console.println("removed " + host + (purge ? " and its reports (" + deleted + " objects)" : ""));
                return 0;
            }
        }
    }
}
