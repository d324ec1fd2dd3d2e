package dev.npc.cli.remote;

import dev.npc.cli.support.StoreMixin;
import dev.npc.digest.Sha256;
import dev.npc.cli.trust.SigningMixin;
import dev.npc.remote.RemotePromoter;
import dev.npc.remote.Signing;
import dev.npc.store.Store;
import dev.npc.cli.support.Console;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Copy remote FROM's current version to remote TO, server side.",
                "",
                "With --if-version the copy happens only if FROM still holds that version, so what reaches TO is"
                        + " what was tested, not whatever was pushed since.",
                "",
                "TO gets a new publish sequence; a signature covers one remote name and sequence, so --sign-key"
                        + " signs the copy for TO. A signed FROM is not promoted unsigned unless --unsigned says"
                        + " so."},
        footerHeading = "%nExamples:%n",
        footer = {"  npc promote staging prod --store s3://my-fleet/npc",
                "  npc promote staging prod --if-version 1a2b3c4d --sign-key ci-signing.key"})
public final class PromoteCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    StoreMixin storeOptions;

    @Parameters(index = "0", paramLabel = "FROM", description = "Remote holding the tested version.")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "Remote to update.")
    String to;

    @Option(names = "--if-version", paramLabel = "SHA",
            description = "Promote only if FROM still holds this version (full sha256 or at least 8 hex characters).")
    String ifVersion;

    @Mixin
    SigningMixin signingOptions;

    @Override
    public Integer call() throws Exception {
        Signing signing = signingOptions.signing();
        if (ifVersion != null && !ifVersion.matches("[0-9a-fA-F]{8,64}")) {
            throw new IllegalArgumentException("--if-version '" + ifVersion
                    + "' is not a version; give the sha256 (or its first 8+ hex characters) that npc remotes shows");
        }
        try (Store store = storeOptions.open()) {
            RemotePromoter.Promoted promoted = new RemotePromoter(store, java.time.Clock.systemUTC()).promote(from, to, ifVersion, signing);
            if (promoted.unchanged()) {
                console.println(to + " unchanged: already at version " + Sha256.shortForm(promoted.sha256()));
            } else {
                console.println("promoted " + from + " -> " + to + ": version " + Sha256.shortForm(promoted.sha256())
                        + (signing.signer() == null ? "" : " (signed for " + to + " by key " + signing.signer().keyId() + ")"));
            }
            return 0;
        }
    }
}
