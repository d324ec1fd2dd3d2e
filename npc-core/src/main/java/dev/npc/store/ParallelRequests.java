package dev.npc.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Store requests several at a time: a fleet read or a listing of remotes is one round trip per
 * object, and their latency, not CPU, is what a caller waits for. Results come back in the order
 * of the inputs; the first failure is thrown as the IOException the task threw, so callers keep
 * their messages; the threads end with the call.
 */
public final class ParallelRequests {
    private ParallelRequests() { }

    /** One request: an input in, a result out, or the IOException that says why not. */
    @FunctionalInterface
    public interface Request<T, R> {
        R send(T input) throws IOException;
    }

    /** A request that needs no input. */
    @FunctionalInterface
    public interface Call<R> {
        R call() throws IOException;
    }

    /** The results of {@link #both}. */
    public record Both<A, B>(A first, B second) { }

    /**
     * Sends {@code first} on the caller's thread while {@code second} goes out on its own, and
     * waits for both, even when the first fails, so no request outlives the call. A failure of the
     * first is thrown before one of the second.
     */
    public static <A, B> Both<A, B> both(String what, Call<A> first, Call<B> second) throws IOException {
        FutureTask<B> aside = new FutureTask<>(second::call);
        Thread thread = new Thread(aside, "npc-requests");
        thread.setDaemon(true);
        thread.start();
        A here;
        try {
            here = first.call();
        } catch (IOException | RuntimeException e) {
            try {
                result(aside, what);
            } catch (IOException | RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        return new Both<>(here, result(aside, what));
    }

    /**
     * @param inFlight at most this many requests at once (at least one)
     * @param what     what the requests do, for the message when the caller's thread is interrupted
     */
    public static <T, R> List<R> map(List<T> inputs, int inFlight, String what, Request<T, R> request) throws IOException {
        if (inputs.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(inFlight, inputs.size())), task -> {
            Thread thread = new Thread(task, "npc-requests");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(inputs.size());
            for (T input : inputs) {
                futures.add(pool.submit(() -> request.send(input)));
            }
            List<R> results = new ArrayList<>(inputs.size());
            for (Future<R> future : futures) {
                results.add(result(future, what));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A request's result, or the IOException it failed with. */
    private static <R> R result(Future<R> future, String what) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException(cause.getMessage(), cause);
        }
    }
}
