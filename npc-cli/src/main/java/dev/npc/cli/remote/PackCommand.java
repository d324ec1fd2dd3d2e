package dev.npc.cli.remote;

import dev.npc.json.Json;
import dev.npc.pack.PackResult;
import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pack", mixinStandardHelpOptions = true,
        description = {"Pack the files a flake needs into a deterministic archive (tar + zstd).",
                "",
                "Inside git only tracked files are packed (what Nix copies); outside git everything but .git/,"
                        + " result* links, .direnv/ and .npcignore patterns. The same files always give the same"
                        + " bytes, so the printed version only changes when content does."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc pack --src . -o /tmp/fleet.npc",
                "  npc pack --src . --include hosts --include modules -o fleet.npc --json"})
public final class PackCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    FlakeSourceMixin source;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Archive to write.")
    Path output;

    @Option(names = "--json", description = "Print a JSON object of strings (readable by Terraform's external data source).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PackResult result = source.packInto(output);
        if (json) {
            console.print(Json.writeString(asStrings(result, output)));
        } else {
            console.println(Report.packed(result) + " -> " + output);
        }
        return 0;
    }

    /** Terraform's external data source accepts only string values, hence the strings. */
    static Map<String, String> asStrings(PackResult result, Path output) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("version", result.sha256());
        map.put("sha256", result.sha256());
        map.put("files", Integer.toString(result.files()));
        map.put("bytes", Long.toString(result.bytes()));
        // As given: Terraform keeps this in its state, which must not depend on where the checkout is.
        map.put("path", output.toString());
        map.put("sourceRev", result.sourceRev() == null ? "" : result.sourceRev());
        return map;
    }
}
