package dev.npc.daemon.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Temporary files and half-made directories a crash or fault could leave in a state directory. */
final class Leftovers {
    private Leftovers() { }

    static List<String> in(Path stateDir) throws IOException {
        if (!Files.exists(stateDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            return files.map(p -> stateDir.relativize(p).toString())
                    .filter(name -> {
                        String file = Path.of(name).getFileName() == null ? name : Path.of(name).getFileName().toString();
                        return file.endsWith(".tmp") || file.startsWith(".download-") || file.contains(".unpack")
                                || file.startsWith(".npc-") || file.endsWith(".partial");
                    })
                    .toList();
        }
    }
}
