package dev.npc.tests.cli;

import dev.npc.cli.NpcCli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of {@code npc}: its exit code and what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun npc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = NpcCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** For assertion messages: everything the run printed. */
    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
