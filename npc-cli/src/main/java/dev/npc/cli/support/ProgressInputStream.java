package dev.npc.cli.support;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/** Draws an upload progress bar on stderr as the SDK reads the body. */
public final class ProgressInputStream extends FilterInputStream {
    private static final int WIDTH = 30;
    private final long total;
    private final String label;
    private final PrintWriter out;
    private long done;
    private int lastPercent = -1;

    public ProgressInputStream(InputStream in, long total, String label, PrintWriter out) {
        super(in);
        this.total = Math.max(1, total);
        this.label = label;
        this.out = out;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        super.close();
        if (lastPercent >= 0) {
            out.print("\r\033[K");
            out.flush();
        }
    }

    private void advance(long n) {
        done += n;
        int percent = (int) Math.min(100, done * 100 / total);
        if (percent != lastPercent) {
            lastPercent = percent;
            int filled = percent * WIDTH / 100;
            out.printf("\r%s [%s%s] %3d%% %s", label, "#".repeat(filled), " ".repeat(WIDTH - filled), percent,
                    Sizes.human(done));
            out.flush();
        }
    }
}
