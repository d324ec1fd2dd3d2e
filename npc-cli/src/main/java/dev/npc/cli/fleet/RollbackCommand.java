package dev.npc.cli.fleet;

import dev.npc.cli.support.Console;
import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.remote.RemoteName;
import dev.npc.cli.trust.SigningMixin;
import dev.npc.remote.RemoteRollback;
import dev.npc.remote.Signing;
import dev.npc.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {"Put back the version REMOTE held before its last push or promote.",
                "",
                "Hosts following it switch back on their next poll. Earlier versions live in"
                        + " remotes-history/REMOTE/ (the newest 10 are kept); rolling back twice returns to where"
                        + " you started.",
                "",
                "The version is published anew, with a new sequence: hosts with trusted keys refuse an old"
                        + " signature as a replay, so give --sign-key to sign it again."},
        footerHeading = "%nExample:%n",
        footer = {"  npc rollback prod --store s3://my-fleet/npc --sign-key ci-signing.key"})
public final class RollbackCommand implements Callable<Integer> {
    @Mixin
    Console console;
    @Mixin
    StoreMixin storeOptions;

    @Parameters(paramLabel = "REMOTE", description = "Remote to roll back.")
    String remote;

    @Mixin
    SigningMixin signingOptions;

    @Override
    public Integer call() throws Exception {
        RemoteName.check(remote);
        Signing signing = signingOptions.signing();
        try (Store store = storeOptions.open()) {
            RemoteRollback.RolledBack done = new RemoteRollback(store, Clock.systemUTC()).rollback(remote, signing);
            console.println("rolled back " + remote + ": " + Sha256.shortForm(done.from()) + " -> " + Sha256.shortForm(done.to())
                    + (signing.signer() == null ? "" : " (signed by key " + signing.signer().keyId() + ")"));
            return 0;
        }
    }
}
