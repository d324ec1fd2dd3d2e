package dev.npc.store;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** A second process for {@link FileStoreProcessesTest}: races for keys with If-None-Match semantics. */
public final class FileStoreWriterMain {
    private FileStoreWriterMain() { }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        String writer = args[2];
        int wins = 0;
        try (Store store = new FileStore(dir)) {
            for (int i = 0; i < count; i++) {
                byte[] body = writer.getBytes(StandardCharsets.UTF_8);
                try {
                    store.put("locks/" + i, new ByteArrayInputStream(body), body.length, Map.of("writer", writer),
                            Precondition.mustNotExist());
                    wins++;
                } catch (PreconditionFailedException e) {
                    // the other process holds this one
                }
            }
        }
        System.out.println("wins=" + wins);
    }
}
