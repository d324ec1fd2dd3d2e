package dev.npc.cli.remote;

import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.pack.PackException;
import dev.npc.process.SystemProcessRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Which flake to pack and how: the options pack and push share. */
@Command
final class FlakeSourceMixin {
    @Option(names = "--src", paramLabel = "DIR", defaultValue = ".", description = "Flake directory (default: .).")
    Path src;

    @Option(names = "--include", paramLabel = "DIR",
            description = "Pack only these top-level directories, and flake.nix and flake.lock (repeatable).")
    List<String> includes = List.of();

    @Option(names = "--allow-unlocked", description = "Pack without flake.lock (hosts may then build different systems).")
    boolean allowUnlocked;

    PackResult packInto(Path archive) throws IOException, PackException {
        return packInto(archive, new java.util.TreeMap<>());
    }

    /** @param prebuilt configuration to pre-built toplevel, written into the archive (push --prebuilt) */
    PackResult packInto(Path archive, java.util.SortedMap<String, String> prebuilt) throws IOException, PackException {
        return new Packer(new SystemProcessRunner()).pack(src, new PackOptions(includes, allowUnlocked, prebuilt), archive);
    }
}
