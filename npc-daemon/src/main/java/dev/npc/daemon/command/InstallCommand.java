package dev.npc.daemon.command;

import dev.npc.daemon.config.ConfigFile;
import dev.npc.daemon.config.DaemonConfig;
import dev.npc.daemon.config.Settings;
import dev.npc.daemon.config.SettingsLoader;
import dev.npc.daemon.loop.FollowLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Files;
import java.util.concurrent.Callable;

@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Write the daemon's config, then poll until this host ran one activation (EC2 user-data).",
                "The config goes to config.json in the state directory; later runs of follow read it.",
                "Like follow --once=activate: a fresh host waits for its desired.json, a host already on its",
                "desired version returns at once. Exit 0 when the host runs its desired version."},
        footer = {"", "Example:",
                "  npc-daemon install --store s3://my-fleet/npc --host web-1 --configuration web"})
public final class InstallCommand extends DaemonCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        if (options.store == null) {
            throw new IllegalArgumentException("install needs --store URL (and usually --host NAME)");
        }
        var dir = stateDir();
        DaemonConfig merged = SettingsLoader.merged(dir, options.toConfig(), java.util.Map.of());
        Settings settings = Settings.resolve(dir, merged, seams().hostname());
        Files.createDirectories(dir.root());
        ConfigFile.write(dir.config(), merged);
        log().info("wrote " + dir.config() + " (store " + settings.store() + ", host " + settings.host() + ")");
        return FollowCommand.follow(SettingsLoader.load(dir, options.toConfig(), seams().env(), seams().hostname()),
                seams(), log(), FollowLoop.Mode.UNTIL_ACTIVATED);
    }
}
