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

    /** Runs npc with {@code args} followed by {@code trailing}, such as the --store a test uses throughout. */
    public static CliRun npcWith(java.util.List<String> trailing, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(trailing);
        return npc(all.toArray(String[]::new));
    }

    /** For assertion messages: everything the run printed. */
    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
