package dev.npc.daemon;

import dev.npc.daemon.config.Settings;
import dev.npc.process.ProcessRunner;
import dev.npc.process.SystemProcessRunner;
import dev.npc.store.Store;
import dev.npc.store.StoreOptions;
import dev.npc.store.Stores;
import dev.npc.time.HostClock;
import dev.npc.time.Sleeper;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * Everything the daemon takes from the outside world, in one place: processes, time, sleeping,
 * randomness, environment, output, the store, the shutdown hook and the reboot. Production uses
 * {@link #system()}; tests replace single parts and run the same code. The clock's zone is the
 * host's time zone, which a maintenance window without a zone is in.
 */
public record Seams(ProcessRunner processes, Clock clock, Sleeper sleeper, RandomGenerator random,
                    Map<String, String> env, PrintStream out, PrintStream err, Function<Settings, Store> stores,
                    Consumer<Thread> shutdownHooks, String hostname, Rebooter rebooter) {

    /** Seams without a way to reboot ({@link Rebooter#NONE}): for programs and tests that never reboot a host. */
    public Seams(ProcessRunner processes, Clock clock, Sleeper sleeper, RandomGenerator random,
                 Map<String, String> env, PrintStream out, PrintStream err, Function<Settings, Store> stores,
                 Consumer<Thread> shutdownHooks, String hostname) {
        this(processes, clock, sleeper, random, env, out, err, stores, shutdownHooks, hostname, Rebooter.NONE);
    }

    public static Seams system() {
        SystemProcessRunner processes = new SystemProcessRunner();
        return new Seams(processes, new HostClock(), Sleeper.SYSTEM, new java.util.Random(),
                System.getenv(), System.out, System.err, Seams::openStore,
                hook -> Runtime.getRuntime().addShutdownHook(hook), machineHostname(), Rebooter.system(processes));
    }

    /** These seams with {@code rebooter} in place of the reboot. */
    public Seams withRebooter(Rebooter rebooter) {
        return new Seams(processes, clock, sleeper, random, env, out, err, stores, shutdownHooks, hostname, rebooter);
    }

    public static Store openStore(Settings settings) {
        return Stores.open(settings.store(), new StoreOptions(settings.endpointUrl(), settings.region(), null));
    }

    /** The kernel's host name: what NixOS sets from networking.hostName. */
    static String machineHostname() {
        try {
            java.nio.file.Path kernel = java.nio.file.Path.of("/proc/sys/kernel/hostname");
            if (java.nio.file.Files.isReadable(kernel)) {
                String name = java.nio.file.Files.readString(kernel).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
