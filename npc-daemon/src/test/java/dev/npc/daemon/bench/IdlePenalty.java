package dev.npc.daemon.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * What this machine charges a thread for waking up, the yardstick for bench/poll-bench.sh's CPU
 * per poll: one fixed piece of work (allocating and touching 4 MiB, formatting 2,000 numbers;
 * compiled and warm), timed as the CPU of the thread that runs it, once after each sleep of 1 s and
 * once after each sleep of 10 ms. On a machine whose caches, TLBs and clock speed survive a second
 * of idleness both cost the same; on the 2-core VM of the figures, the work after a second's
 * sleep costs several times the same work in a busy loop, and so does every poll of a daemon
 * polling once a second. Usage: {@code IdlePenalty SLOW-ROUNDS}; prints {@code figure} lines.
 */
public final class IdlePenalty {
    private static long sink;

    private IdlePenalty() { }

    public static void main(String[] args) throws InterruptedException {
        int rounds = Integer.parseInt(args[0]);
        for (int i = 0; i < 500; i++) {
            work();
        }
        double slow = perRound(1000, rounds);
        double fast = perRound(10, rounds * 20);
        System.out.printf(Locale.ROOT, "figure idle.slow=%.2f ms%n", slow);
        System.out.printf(Locale.ROOT, "figure idle.fast=%.2f ms%n", fast);
        System.out.printf(Locale.ROOT, "figure idle.ratio=%.1f%n", slow / fast);
        if (sink == 42) {
            System.out.println(); // keeps the work from being optimised away
        }
    }

    /** CPU milliseconds of one {@link #work()} after each sleep of {@code sleepMillis}. */
    private static double perRound(long sleepMillis, int rounds) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = 0;
        for (int i = 0; i < rounds; i++) {
            Thread.sleep(sleepMillis);
            long start = threads.getCurrentThreadCpuTime();
            work();
            cpu += threads.getCurrentThreadCpuTime() - start;
        }
        return cpu / 1e6 / rounds;
    }

    private static void work() {
        byte[][] blocks = new byte[64][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new byte[65536];
            for (int j = 0; j < blocks[i].length; j += 64) {
                blocks[i][j] = (byte) j;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append(Integer.toHexString(i * 31)).append(',');
        }
        sink += text.toString().hashCode() + blocks[63][64];
    }
}
