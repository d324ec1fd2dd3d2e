package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteName;
import dev.npc.remote.RemoteRollback;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Put back the version REMOTE held before its last push or promote.",
                "Hosts following it switch back on their next poll. Earlier versions live in",
                "remotes-history/REMOTE/ (the newest 10 are kept); rolling back twice returns to",
                "where you started."},
        footerHeading = "%nExample:%n",
        footer = {"  npc rollback prod --store s3://my-fleet/npc"})
public final class RollbackCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;

    @Parameters(paramLabel = "REMOTE", description = "Remote to roll back.")
    String remote;

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        try (Store store = storeOptions.open()) {
            RemoteRollback.RolledBack done = new RemoteRollback(store, Clock.systemUTC()).rollback(remote);
            console.println("rolled back " + remote + ": " + Sha256.shortForm(done.from()) + " -> " + Sha256.shortForm(done.to()));
            return 0;
        }
    }
}
