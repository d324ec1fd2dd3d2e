package dev.npc.daemon.command;

import dev.npc.daemon.config.ConfigFile;
import dev.npc.daemon.config.Settings;
import dev.npc.daemon.files.StateDir;
import dev.npc.daemon.loop.FollowLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.util.concurrent.Callable;

@Command(name = "install", mixinStandardHelpOptions = true, abbreviateSynopsis = true,
        description = {"Records this host's settings, then polls until the host ran one activation: what an EC2"
                + " host's first boot (user-data) runs.",
                "",
                "The settings given here are written to config.json in the state directory, over those an"
                        + " earlier install wrote; follow reads them from there when they are not given as flags"
                        + " (a flag, then an environment variable, beat config.json).",
                "",
                "Like follow --once=activate, a fresh host waits for its desired.json and a host already on its"
                        + " desired version returns at once. Exits 0 when the host runs its desired version."},
        footer = {"", "Example:",
                "  npc-daemon install --store s3://my-fleet/npc --host web-1 --configuration web"})
public final class InstallCommand extends DaemonCommand implements Callable<Integer> {
    @Mixin
    Settings settings;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ParseResult given = spec.commandLine().getParseResult();
        if (!given.hasMatchedOption("--store")) {
            throw new IllegalArgumentException("install needs --store URL (and usually --host NAME)");
        }
        StateDir dir = stateDir();
        Settings resolved = settings.resolve(dir, seams().hostname());
        Files.createDirectories(dir.root());
        ConfigFile.record(dir.config(), given.matchedOptions());
        log().info("wrote " + dir.config() + " (store " + resolved.store() + ", host " + resolved.host() + ")");
        return FollowCommand.follow(resolved, seams(), log(), FollowLoop.Mode.UNTIL_ACTIVATED);
    }
}
