package dev.npc.cli.trust;

import dev.npc.cli.support.Console;
import dev.npc.trust.KeyFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage the Ed25519 keys that sign remotes.",
        subcommands = KeysCommand.Generate.class,
        footerHeading = "%nExample:%n",
        footer = "  npc keys generate --private ci-signing.key --public ci-signing.pub")
public final class KeysCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Create a new signing key pair in two new files.",
                    "",
                    "Existing files are never overwritten. The private file (mode 0600) signs remotes: npc push"
                            + " --sign-key FILE. The public file, or its npc-ed25519-public:... line, is what hosts"
                            + " trust: npc-daemon --trusted-key, services.npc.trustedKeys, npc verify --trusted-key."},
            footerHeading = "%nExample:%n",
            footer = "  npc keys generate --private ci-signing.key --public ci-signing.pub")
    static final class Generate implements Callable<Integer> {
        @Mixin
        Console console;

        @Option(names = "--private", paramLabel = "FILE", required = true, description = "New private key file (mode 0600).")
        Path privateFile;

        @Option(names = "--public", paramLabel = "FILE", required = true, description = "New public key file.")
        Path publicFile;

        @Override
        public Integer call() throws Exception {
            String keyId = KeyFiles.generate(privateFile, publicFile);
            console.println("generated key " + keyId + ": private " + privateFile + " (keep it secret), public " + publicFile);
            return 0;
        }
    }
}
