package dev.npc.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link EmbeddedS3} for all the tests of a class, started before the first and closed after
 * the last: {@code @RegisterExtension static final SharedS3 S3 = new SharedS3();}. Each test keeps
 * to a prefix of its own ({@link #freshPrefix}), so one bucket serves them all.
 */
public final class SharedS3 implements BeforeAllCallback, AfterAllCallback {
    private final AtomicInteger prefixes = new AtomicInteger();
    private EmbeddedS3 s3;

    @Override
    public void beforeAll(ExtensionContext context) {
        s3 = EmbeddedS3.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (s3 != null) {
            s3.close();
        }
    }

    /** The running server (between the class's first and last test). */
    public EmbeddedS3 get() {
        return s3;
    }

    /** {@code stem} and a number no earlier call of this class gave. */
    public String freshPrefix(String stem) {
        return stem + prefixes.incrementAndGet();
    }
}
