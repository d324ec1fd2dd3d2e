package dev.npc.daemon.testing;

import dev.npc.store.EtagProbe;
import dev.npc.store.GetResult;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Precondition;
import dev.npc.store.Store;
import dev.npc.store.StoreException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real store seen through a window: records what each read returned (so tests can assert a 304
 * path downloaded nothing) and can be cut off, as a network outage would.
 */
public final class ObservedStore implements Store {
    private final Store delegate;
    private final List<String> reads = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean unreachable;

    public ObservedStore(Store delegate) {
        this.delegate = delegate;
    }

    public void unreachable(boolean value) {
        unreachable = value;
    }

    /**
     * Each read in order: {@code <key> <Found|NotModified|Missing>} for a GET, {@code <key> GetSmall
     * <Found|NotModified|Missing>} for a small document's, {@code <key> Head} for a HEAD and
     * {@code <key> Probe <answer>} for the store's probe of an ETag.
     */
    public List<String> reads() {
        return List.copyOf(reads);
    }

    public void clearReads() {
        reads.clear();
    }

    private void check() throws StoreException {
        if (unreachable) {
            throw new StoreException("cannot reach " + delegate.url() + ": connection refused");
        }
    }

    @Override
    public String url() {
        return delegate.url();
    }

    @Override
    public GetResult get(String key, String ifNoneMatch) throws IOException {
        check();
        GetResult result = delegate.get(key, ifNoneMatch);
        reads.add(key + " " + result.getClass().getSimpleName());
        return result;
    }

    @Override
    public GetResult getSmall(String key, String ifNoneMatch, int maxBytes) throws IOException {
        check();
        GetResult result = delegate.getSmall(key, ifNoneMatch, maxBytes);
        reads.add(key + " GetSmall " + result.getClass().getSimpleName());
        return result;
    }

    /** An unreachable store cannot tell, as the real probe answers when it gets no answer. */
    @Override
    public EtagProbe probe(String key, String etag) {
        EtagProbe answer = unreachable ? EtagProbe.CANNOT_TELL : delegate.probe(key, etag);
        reads.add(key + " Probe " + answer);
        return answer;
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        check();
        Optional<ObjectInfo> info = delegate.head(key);
        reads.add(key + " Head");
        return info;
    }

    @Override
    public ObjectInfo put(String key, InputStream body, long length, Map<String, String> metadata,
                          Precondition precondition) throws IOException {
        check();
        return delegate.put(key, body, length, metadata, precondition);
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        check();
        return delegate.list(prefix);
    }

    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch) throws IOException {
        check();
        return delegate.copy(fromKey, toKey, sourceIfMatch);
    }

    @Override
    public ObjectInfo copy(String fromKey, String toKey, String sourceIfMatch, Map<String, String> metadata)
            throws IOException {
        check();
        return delegate.copy(fromKey, toKey, sourceIfMatch, metadata);
    }

    @Override
    public void delete(String key) throws IOException {
        check();
        delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
