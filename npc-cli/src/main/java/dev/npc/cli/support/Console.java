package dev.npc.cli.support;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Where a command prints: the writers of its CommandLine, so tests and the demo can capture
 * output without touching System.out.
 */
@CommandLine.Command
public final class Console {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    public void println(String line) {
        out().println(line);
        out().flush();
    }

    public void print(String text) {
        out().print(text);
        out().flush();
    }
}
