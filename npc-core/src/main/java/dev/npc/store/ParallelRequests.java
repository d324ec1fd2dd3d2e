package dev.npc.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
                results.add(future.get());
            }
            return results;
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
        } finally {
            pool.shutdownNow();
        }
    }
}
