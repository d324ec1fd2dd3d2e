package dev.npc.daemon.reliability;

import dev.npc.daemon.NpcDaemon;
import dev.npc.daemon.Seams;
import dev.npc.process.ProcessRunner;
import dev.npc.store.GetResult;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Precondition;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * npc-daemon's main with one fault: when it runs the program named by {@code NPC_TEST_EXHAUST}
 * (say {@code nix} or {@code nix-env}), or reads a remote's body when that is {@code download},
 * it allocates until the heap is gone, so a real OutOfMemoryError unwinds through the daemon in
 * that phase, as a hostile input or a leak would make it.
 */
public final class ExhaustingDaemon {
    private ExhaustingDaemon() { }

    public static void main(String[] args) {
        String target = System.getenv("NPC_TEST_EXHAUST");
        Seams system = Seams.system();
        ProcessRunner processes = (command, env, dir, timeout) -> {
            if (command.get(0).endsWith("/" + target)) {
                exhaust();
            }
            return system.processes().run(command, env, dir, timeout);
        };
        Seams seams = new Seams(processes, system.clock(), system.sleeper(), system.random(), system.env(),
                system.out(), system.err(), settings -> "download".equals(target)
                ? new ExhaustingReads(Seams.openStore(settings)) : Seams.openStore(settings),
                system.shutdownHooks(), system.hostname());
        System.exit(NpcDaemon.exitCode(seams, args));
    }

    static void exhaust() {
        List<long[]> hog = new ArrayList<>();
        while (true) {
            hog.add(new long[1 << 20]);
        }
    }

    /** A store whose remote bodies exhaust the heap on their first read. */
    private record ExhaustingReads(Store delegate) implements Store {
        @Override
        public String url() {
            return delegate.url();
        }

        @Override
        public GetResult get(String key, String ifNoneMatch) throws IOException {
            GetResult result = delegate.get(key, ifNoneMatch);
            if (key.startsWith("remotes/") && result instanceof GetResult.Found found) {
                return new GetResult.Found(found.info(), new InputStream() {
                    @Override
                    public int read() {
                        exhaust();
                        return -1;
                    }

                    @Override
                    public void close() throws IOException {
                        found.close();
                    }
                });
            }
            return result;
        }

        @Override
        public Optional<ObjectInfo> head(String key) throws IOException {
            return delegate.head(key);
        }

        @Override
        public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                              Precondition precondition) throws IOException {
            return delegate.put(key, body, length, metadata, precondition);
        }

        @Override
        public List<ObjectInfo> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException {
            return delegate.copy(fromKey, toKey, sourceIfMatch);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
