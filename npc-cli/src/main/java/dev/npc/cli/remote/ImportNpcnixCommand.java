package dev.npc.cli.remote;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.Sizes;
import dev.npc.cli.support.StoreMixin;
import dev.npc.cli.trust.SigningMixin;
import dev.npc.digest.Sha256;
import dev.npc.json.Json;
import dev.npc.npcnix.NpcnixImporter;
import dev.npc.npcnix.NpcnixImporter.Found;
import dev.npc.npcnix.NpcnixImporter.Outcome;
import dev.npc.npcnix.NpcnixImporter.Result;
import dev.npc.pack.UnpackLimits;
import dev.npc.process.SystemProcessRunner;
import dev.npc.remote.Signing;
import dev.npc.store.Store;
import dev.npc.store.StoreLocation;
import dev.npc.text.SafeText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import-npcnix", mixinStandardHelpOptions = true,
        description = {"Publish the npcnix remotes under an npcnix store prefix as npc remotes, side by side.",
                "",
                "Each <prefix>/<name>.npcnix (tar + zstd, no metadata) becomes remote <name> of the npc store:"
                        + " downloaded within the unpack limit, unpacked as hosts unpack remotes, packed again"
                        + " deterministically as npc push packs, compared file by file with what it held, then"
                        + " published as npc push publishes (verified write, history, sequence, --sign-key)."
                        + " The npcnix objects are only read, so npcnix hosts keep following them.",
                "",
                "Nothing vouches for an npcnix archive's bytes: it is checked to unpack safely and to hold"
                        + " flake.nix and flake.lock, not that its author made it. Importing again gives the same"
                        + " version, so an unchanged npcnix remote is reported 'unchanged' and no host rebuilds.",
                "",
                "Exit 0 when every remote was imported or unchanged, 1 when one was refused or failed (the"
                        + " others are still imported), 2 for usage errors."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc import-npcnix --from s3://my-fleet/npcnix/remotes \\",
                "      --to s3://my-fleet/npc --dry-run",
                "  npc import-npcnix --from s3://my-fleet/npcnix/remotes \\",
                "      --to s3://my-fleet/npc --remote prod=prod-canary --sign-key ci-signing.key"})
public final class ImportNpcnixCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Console console;

    @Mixin
    StoreMixin storeOptions;

    @Mixin
    SigningMixin signingOptions;

    @Option(names = "--from", paramLabel = "URL", required = true,
            description = "The npcnix store: s3://bucket/prefix, the prefix npcnix's store_s3 module was given"
                    + " (its remotes are <prefix>/<name>.npcnix).")
    StoreLocation from;

    @Option(names = "--to", paramLabel = "URL",
            description = "The npc store to publish to (default: --store, else $NPC_STORE).")
    StoreLocation to;

    @Option(names = "--remote", paramLabel = "NAME[=NPC-NAME]",
            description = "Import only npcnix remote NAME, as npc remote NPC-NAME (default: the same name);"
                    + " repeatable. Default: every <name>.npcnix under the prefix.")
    List<String> remotes = new ArrayList<>();

    @Option(names = "--dry-run", description = "Download, check and pack, but publish nothing.")
    boolean dryRun;

    @Option(names = "--allow-unlocked",
            description = "Import a remote without flake.lock (hosts may then build different systems).")
    boolean allowUnlocked;

    @Option(names = "--json", description = "Print one JSON object per remote, in a list.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        StoreLocation target = target();
        if (target.url().equals(from.url())) {
            throw new IllegalArgumentException("--from and --to are both " + from.url() + "; give npc a prefix of"
                    + " its own (e.g. s3://bucket/npc), so npcnix's remotes and npc's store stay apart");
        }
        Map<String, String> selected = selection();
        Signing signing = signingOptions.signing();
        Path work = Files.createTempDirectory("npc-import-npcnix-");
        try (Store npcnix = storeOptions.openAt(from); Store npc = storeOptions.openAt(target)) {
            NpcnixImporter importer = new NpcnixImporter(npcnix, npc, new SystemProcessRunner(), Clock.systemUTC(),
                    work, UnpackLimits.DEFAULT);
            List<Found> found = choose(importer.find(), selected);
            NpcnixImporter.Options options = new NpcnixImporter.Options(allowUnlocked, dryRun, signing);
            List<Result> results = new ArrayList<>();
            for (Found remote : found) {
                Result result = importer.importOne(remote, selected.getOrDefault(remote.name(), remote.name()), options);
                results.add(result);
                if (!json) {
                    print(result);
                }
            }
            if (json) {
                console.print(Json.writeString(results.stream().map(ImportNpcnixCommand::asMap).toList()));
            } else {
                console.println(summary(results));
            }
            return results.stream().allMatch(r -> r.outcome().ok()) ? 0 : 1;
        } finally {
            dev.npc.files.Trees.deleteRecursively(work);
        }
    }

    private StoreLocation target() {
        if (to == null) {
            return storeOptions.location();
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--store") && !storeOptions.location().equals(to)) {
            throw new IllegalArgumentException("--to " + to.url() + " and --store " + storeOptions.location().url()
                    + " name different stores; give one");
        }
        return to;
    }

    /** npcnix name to npc name, in the order given; empty for every remote. */
    private Map<String, String> selection() {
        Map<String, String> selected = new LinkedHashMap<>();
        Map<String, String> claimed = new LinkedHashMap<>();
        for (String argument : remotes) {
            int eq = argument.indexOf('=');
            String name = eq < 0 ? argument : argument.substring(0, eq);
            String npcName = eq < 0 ? argument : argument.substring(eq + 1);
            if (name.isEmpty() || npcName.isEmpty()) {
                throw new IllegalArgumentException("--remote " + argument + " names no remote; give NAME or"
                        + " NAME=NPC-NAME");
            }
            if (name.endsWith(NpcnixImporter.SUFFIX)) {
                name = name.substring(0, name.length() - NpcnixImporter.SUFFIX.length());
            }
            String before = claimed.put(npcName, name);
            if (before != null && !before.equals(name)) {
                throw new IllegalArgumentException("--remote: npcnix remotes " + before + " and " + name
                        + " would both become npc remote " + npcName + "; give each its own name");
            }
            selected.put(name, npcName);
        }
        return selected;
    }

    private List<Found> choose(List<Found> found, Map<String, String> selected) {
        if (found.isEmpty()) {
            throw new IllegalStateException("no npcnix remotes (<name>" + NpcnixImporter.SUFFIX + ") under "
                    + from.url() + "; give --from the prefix npcnix's store_s3 module was given, e.g."
                    + " s3://bucket/npcnix/remotes");
        }
        if (selected.isEmpty()) {
            return found;
        }
        List<Found> chosen = new ArrayList<>();
        for (String name : selected.keySet()) {
            Found match = found.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalStateException("no npcnix remote '" + name + "' under " + from.url() + "; it has: "
                            + String.join(", ", found.stream().map(Found::name).toList())));
            chosen.add(match);
        }
        return chosen;
    }

    private void print(Result r) {
        String what = SafeText.line(r.found().key()) + (r.npcnixBytes() > 0 ? " (" + Sizes.human(r.npcnixBytes()) + ")" : "");
        String version = r.pack() == null ? "" : Report.packed(r.pack());
        String signed = r.keyId() == null ? "" : " (signed by key " + SafeText.line(r.keyId()) + ")";
        String line = switch (r.outcome()) {
            case PUBLISHED -> "imported " + what + " as remote " + r.remote() + ": " + version + ", sequence "
                    + r.sequence() + signed;
            case REPAIRED -> "imported " + what + " as remote " + r.remote() + ", repaired (its stored bytes were not"
                    + " its version): " + version + ", sequence " + r.sequence() + signed;
            case UNCHANGED -> what + ": remote " + r.remote() + " unchanged: already at version "
                    + Sha256.shortForm(r.pack().sha256()) + " (nothing uploaded)";
            case WOULD_PUBLISH -> "would import " + what + " as remote " + r.remote() + ": " + version
                    + " (dry run: nothing uploaded)";
            case WOULD_BE_UNCHANGED -> what + ": remote " + r.remote() + " already at version "
                    + Sha256.shortForm(r.pack().sha256()) + " (dry run: nothing uploaded)";
            case REFUSED -> "refused " + what + ": " + SafeText.line(r.reason()) + "; remote " + r.remote()
                    + " not touched";
            case FAILED -> "failed " + what + ": " + SafeText.line(r.reason());
        };
        console.println(line);
        if (r.outcome().ok() && !r.leftOut().isEmpty()) {
            console.println("  left out, as npc push leaves them out (.git/, .direnv/, result links, .npcignore): "
                    + SafeText.line(String.join(", ", r.leftOut())));
        }
    }

    private String summary(List<Result> results) {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        results.forEach(r -> counts.merge(r.outcome(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((outcome, n) -> parts.add(n + " " + outcome.name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', ' ')));
        return results.size() + (results.size() == 1 ? " npcnix remote: " : " npcnix remotes: ")
                + String.join(", ", parts) + (dryRun ? " (dry run)" : "") + "; the npcnix objects were only read";
    }

    private static Map<String, Object> asMap(Result r) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("npcnixKey", r.found().key());
        map.put("npcnixEtag", r.etag());
        map.put("npcnixBytes", r.npcnixBytes());
        map.put("remote", r.remote());
        map.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        map.put("version", r.pack() == null ? null : r.pack().sha256());
        map.put("files", r.pack() == null ? null : r.pack().files());
        map.put("bytes", r.pack() == null ? null : r.pack().bytes());
        map.put("sequence", r.sequence() > 0 ? r.sequence() : null);
        map.put("keyId", r.keyId());
        map.put("leftOut", r.leftOut());
        map.put("reason", r.reason());
        return map;
    }
}
