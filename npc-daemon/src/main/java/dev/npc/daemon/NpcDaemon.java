package dev.npc.daemon;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code npc-daemon}, which runs on each NixOS host. */
@Command(name = "npc-daemon", mixinStandardHelpOptions = true, version = "npc-daemon 0.1.0",
        description = "Runs on a NixOS host: follows the remote its desired.json names.")
public final class NpcDaemon implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new NpcDaemon()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
