package dev.npc.daemon.command;

import dev.npc.daemon.config.DaemonConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Reads daemon flags with the production option definitions, for tests that wire the daemon directly. */
@Command(name = "flags")
public final class FlagParser {
    @Mixin
    ConfigOptions options;

    @Mixin
    StateDirOption stateDir;

    public static FlagParser parse(String... args) {
        FlagParser parser = new FlagParser();
        new CommandLine(parser).setOverwrittenOptionsAllowed(true).parseArgs(args);
        return parser;
    }

    public DaemonConfig config() {
        return options.toConfig();
    }
}
