package dev.npc.bench;

import dev.npc.testing.EmbeddedS3;

import java.util.Map;
import java.util.TreeMap;

/**
 * S3Proxy in a process of its own on loopback, for benchmarks that time whole npc processes
 * against it (bench/push-bench.sh): the server's JIT and threads then cost the measured command
 * nothing. Prints the environment that reaches it ({@code KEY=value} lines, then {@code ready})
 * and serves until its standard input is closed.
 */
public final class S3ProxyServer {
    private S3ProxyServer() { }

    public static void main(String[] args) throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.start()) {
            Map<String, String> env = new TreeMap<>(s3.environment());
            env.forEach((key, value) -> System.out.println(key + "=" + value));
            System.out.println("NPC_STORE=" + s3.storeUrl("npc"));
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the script closes our input (or exits)
            }
        }
    }
}
