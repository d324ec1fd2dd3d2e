package dev.npc.pack;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The streaming check reads flake.lock as a tree reader would: same documents refused, same accepted. */
class FlakeLockCheckTest {
    private static void refused(String lock, String message) {
        PackException e = assertThrows(PackException.class,
                () -> FlakeLockCheck.check(lock.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private static void accepted(String lock) {
        assertDoesNotThrow(() -> FlakeLockCheck.check(lock.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pathInputsAmongOtherNodes() {
        refused("{\"nodes\":{\"root\":{\"inputs\":{\"a\":\"a\"}},\"nixpkgs\":{\"locked\":{\"type\":\"github\","
                + "\"owner\":\"NixOS\",\"narHash\":\"sha256-x\"},\"original\":{\"type\":\"path\",\"path\":\"/x\"}},"
                + "\"a\":{\"locked\":{\"lastModified\":1,\"path\":\"/srv/a\",\"type\":\"path\"}}},\"version\":7}",
                "input 'a' is the local path /srv/a");
        accepted("{\"nodes\":{\"a\":{\"locked\":{\"type\":\"path\",\"path\":\"./a\"}},"
                + "\"b\":{\"locked\":{\"type\":\"github\",\"path\":\"/only/for/path/inputs\"}}},\"root\":\"root\"}");
    }

    @Test
    void lastOfRepeatedKeysWins() {
        refused("{\"nodes\":{\"a\":{\"locked\":{\"type\":\"path\",\"path\":\"ok\",\"path\":\"../out\"}}}}",
                "input 'a' is the path ../out, outside");
        accepted("{\"nodes\":{\"a\":{\"locked\":{\"type\":\"path\",\"path\":\"/abs\"}}},\"nodes\":{}}");
        refused("{\"nodes\":{},\"nodes\":[1]}", "no \"nodes\" object");
    }

    @Test
    void shapesThatAreNotALock() {
        refused("[{\"nodes\":{}}]", "no \"nodes\" object");
        refused("", "no \"nodes\" object");
        refused("{\"nodes\":{\"a\":{\"locked\":[1,", "not valid JSON");
        refused("[1, {]", "not valid JSON");
        accepted("{\"nodes\":{\"a\":null,\"b\":{\"locked\":null},\"c\":{\"locked\":{\"type\":{\"path\":1}}}}}");
    }
}
