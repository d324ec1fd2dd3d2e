package dev.npc.cli.remote;

import dev.npc.cli.support.Sizes;
import dev.npc.digest.Sha256;
import dev.npc.pack.PackResult;

/** The sentences the remote commands print, in one place so they read alike. */
final class Report {
    private Report() { }

    static String packed(PackResult result) {
        return "version " + Sha256.shortForm(result.sha256()) + ": " + result.files() + " files, "
                + Sizes.human(result.bytes()) + (result.sourceRev() == null ? "" : ", source " + result.sourceRev());
    }
}
