package dev.npc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code npc}, the admin's command line. */
@Command(name = "npc", mixinStandardHelpOptions = true, version = "npc 0.1.0",
        description = "Pull-based provisioning of NixOS fleets through an object store.")
public final class NpcCli implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new NpcCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
