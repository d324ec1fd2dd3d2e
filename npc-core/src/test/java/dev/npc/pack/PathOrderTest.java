package dev.npc.pack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PathOrderTest {
    @Test
    void pathOrderIsUtf8ByteOrder() {
        List<String> paths = new ArrayList<>(List.of("a/b", "a-b", "a", "B", "a.nix", "\uE000x", "\uD83D\uDE00",
                "\uFFFD", "é", "z", "a/\uD83D\uDE00", "a/\uFFFF"));
        List<String> byBytes = new ArrayList<>(paths);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        paths.sort(FlakeFiles.PATH_ORDER);
        assertEquals(byBytes, paths);
        assertEquals(List.of("B", "a", "a-b", "a.nix", "a/b"), paths.subList(0, 5));
    }
}
