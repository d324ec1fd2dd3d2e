package dev.npc.testing;

import dev.npc.store.GetResult;
import dev.npc.store.Store;
import dev.npc.store.StoreException;
import org.junit.jupiter.api.Test;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedS3Test {

    @Test
    void servesItsBucketOnLoopbackWithSigV4() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start()) {
            System.out.println("EmbeddedS3 started in " + s3.startup().toMillis() + " ms");
            assertEquals("127.0.0.1", s3.endpoint().getHost());
            assertTrue(s3.endpoint().getPort() > 0);
            assertEquals("s3://npc-test/fleet", s3.storeUrl("fleet"));
            try (Store store = s3.open("fleet")) {
                store.put("a", "x".getBytes(StandardCharsets.UTF_8), Map.of());
                try (GetResult result = store.get("a", null)) {
                    assertInstanceOf(GetResult.Found.class, result);
                }
            }
            HttpURLConnection anonymous = (HttpURLConnection) URI.create(s3.endpointUrl() + "/npc-test/fleet/a")
                    .toURL().openConnection();
            assertEquals(403, anonymous.getResponseCode(), "unsigned requests must be refused");
            anonymous.disconnect();
        }
    }

    @Test
    void anOutageRefusesConnectionsAndKeepsTheObjects() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start(); Store store = s3.open("fleet")) {
            store.put("hosts/h/state.json", "before".getBytes(StandardCharsets.UTF_8), Map.of("k", "v"));
            s3.suspend();
            StoreException down = assertThrows(StoreException.class, () -> store.head("hosts/h/state.json"));
            assertTrue(down.getMessage().startsWith("cannot reach endpoint " + s3.endpointUrl()), down.getMessage());
            s3.resume();
            try (GetResult result = store.get("hosts/h/state.json", null)) {
                GetResult.Found found = assertInstanceOf(GetResult.Found.class, result);
                assertEquals("before", new String(found.body().readAllBytes(), StandardCharsets.UTF_8));
                assertEquals("v", found.info().meta("k"));
            }
        }
    }

    @Test
    void twoServersGetTwoPorts() {
        try (EmbeddedS3 one = EmbeddedS3.start(); EmbeddedS3 two = EmbeddedS3.start("other")) {
            System.out.println("second and third EmbeddedS3 started in " + one.startup().toMillis() + " and "
                    + two.startup().toMillis() + " ms");
            assertNotEquals(one.endpoint(), two.endpoint());
            assertEquals("other", two.bucket());
        }
    }
}
