package dev.npc.cli;

import dev.npc.cli.fleet.HostsCommand;
import dev.npc.cli.fleet.RollbackCommand;
import dev.npc.cli.fleet.RolloutCommand;
import dev.npc.cli.fleet.StatusCommand;
import dev.npc.cli.fleet.WaitCommand;
import dev.npc.cli.remote.PackCommand;
import dev.npc.cli.remote.PromoteCommand;
import dev.npc.cli.remote.PullCommand;
import dev.npc.cli.remote.PushCommand;
import dev.npc.cli.remote.RemotesCommand;
import dev.npc.cli.support.Converters;
import dev.npc.cli.support.ErrorHandler;
import dev.npc.cli.trust.KeysCommand;
import dev.npc.cli.trust.VerifyCommand;
import dev.npc.store.StoreLocation;
import dev.npc.time.Durations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/** Entry point of {@code npc}, the admin's command line. */
@Command(name = "npc", mixinStandardHelpOptions = true, version = "npc 0.1.0",
        description = {"Pull-based provisioning of NixOS fleets through an object store.",
                "",
                "CI packs and pushes the fleet's flake as a named remote; each host's npc-daemon pulls the remote"
                        + " its desired.json names, builds, switches, checks, rolls back on failure and reports its"
                        + " state back to the store."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  npc demo                  # the whole loop here: no AWS account, no NixOS",
                "  npc push --src . --remote staging --store s3://my-fleet/npc",
                "  npc promote staging prod --store s3://my-fleet/npc",
                "",
                "Commands that use a store take --store URL, or read $NPC_STORE.",
                "Exit codes: 0 ok, 1 failure, 2 usage."})
public final class NpcCli implements Runnable {
    /**
     * The subcommands, in the order the usage lists them. Not in the annotation: picocli builds the
     * model of every command it is given (reflection over each class's options, an annotation proxy
     * per option, usage texts) before it parses anything, which was about 80 ms of a one-shot
     * `npc pack`'s start; {@link #commandLine} adds only the command that is run when the
     * arguments name one.
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(PackCommand.class, PushCommand.class, PullCommand.class,
            RemotesCommand.class, PromoteCommand.class, HostsCommand.class, StatusCommand.class, WaitCommand.class,
            RolloutCommand.class, RollbackCommand.class, dev.npc.cli.fleet.WatchCommand.class, KeysCommand.class,
            VerifyCommand.class, dev.npc.cli.remote.ImportNpcnixCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        // status and wait read many small objects in parallel; the JDK keeps only 5 idle
        // connections per server by default, so the rest would reconnect for every request.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
        System.exit(run(args));
    }

    /** Runs a command line in-process and returns its exit code (the demo and tests call this). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line with its output going to the given writers. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        NpcCli root = new NpcCli();
        CommandLine commandLine = commandLine(root, args).setOut(out).setErr(err);
        // Typed options for every command: a bad duration or store URL is a usage error that names
        // its option, and each text is parsed once, by the same code the daemon uses.
        commandLine.registerConverter(Duration.class, Converters.of(Durations::parse));
        commandLine.registerConverter(StoreLocation.class, Converters.of(StoreLocation::parse));
        ErrorHandler.install(commandLine, "npc", () -> root.debug);
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The whole command tree: every subcommand (what the usage and `npc help` show). */
    public static CommandLine commandLine() {
        return commandLine(new NpcCli(), new String[0]);
    }

    /**
     * The tree for these arguments: when the first argument that is not an option names a
     * subcommand (other than help), only that one; for {@code --version} alone, none; otherwise all
     * of them, so the usage, help and the "did you mean" of a mistyped command see every command.
     */
    private static CommandLine commandLine(NpcCli root, String[] args) {
        CommandLine commandLine = new CommandLine(root);
        String named = null;
        for (String arg : args) {
            if (!arg.startsWith("-")) { // the root's options (--debug, --help, --version) take no value
                named = arg;
                break;
            }
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return commandLine; // prints the version and nothing else
        }
        // stops at the first match: reading a class's annotation loads every class it names
        for (Class<?> subcommand : SUBCOMMANDS) {
            if (named != null && subcommand != CommandLine.HelpCommand.class && nameOf(subcommand).equals(named)) {
                return commandLine.addSubcommand(subcommand);
            }
        }
        for (Class<?> subcommand : SUBCOMMANDS) {
            commandLine.addSubcommand(subcommand);
        }
        return commandLine;
    }

    private static String nameOf(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
