package dev.npc.daemon;

import dev.npc.daemon.command.FollowCommand;
import dev.npc.daemon.command.InstallCommand;
import dev.npc.daemon.command.PauseCommand;
import dev.npc.daemon.command.RetryCommand;
import dev.npc.daemon.command.StatusCommand;
import dev.npc.daemon.command.TriggerCommand;
import dev.npc.daemon.command.UnpauseCommand;
import dev.npc.daemon.config.ConfigFile;
import dev.npc.daemon.config.OptionErrors;
import dev.npc.daemon.config.SettingsDefaults;
import dev.npc.text.SafeText;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;

/** Entry point of {@code npc-daemon}, which runs on each NixOS host. */
@Command(name = "npc-daemon", mixinStandardHelpOptions = true, version = "npc-daemon " + Daemon.VERSION,
        description = "Runs on a NixOS host: follows the remote its desired.json names and reports back.",
        footer = {"", "Example:", "  npc-daemon follow --store s3://my-fleet/npc --host web-1",
                "", "Exit codes: 0 ok, 1 failure, 2 usage."})
public final class NpcDaemon implements Runnable {
    /** The subcommands, in the order --help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(FollowCommand.class, InstallCommand.class,
            StatusCommand.class, PauseCommand.class, UnpauseCommand.class, TriggerCommand.class, RetryCommand.class);

    /** The launcher's usage-error exit code, as picocli's default. */
    public static final int USAGE = 2;

    private final Seams seams;

    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces of errors.")
    boolean debug;

    public NpcDaemon(Seams seams) {
        this.seams = seams;
    }

    public Seams seams() {
        return seams;
    }

    public boolean debug() {
        return debug;
    }

    public static void main(String[] args) {
        System.exit(exitCode(Seams.system(), args));
    }

    /**
     * Like {@link #run}, but an Error (OutOfMemoryError, StackOverflowError), which picocli does
     * not handle, still ends the JVM with one line and a failure exit code, whatever threads are
     * left: systemd then starts the daemon again, and its recovery charges the attempt that died.
     */
    public static int exitCode(Seams seams, String... args) {
        NpcDaemon root = new NpcDaemon(seams);
        try {
            return root.execute(args);
        } catch (Throwable t) {
            try {
                seams.err().println("npc-daemon: died of " + SafeText.line(String.valueOf(t))
                        + "; the next start charges the attempt in progress to its version");
                if (root.debug) {
                    t.printStackTrace(seams.err());
                }
                seams.err().flush();
            } catch (Throwable ignored) {
                // nothing more can be said
            }
            return 70; // EX_SOFTWARE
        }
    }

    /** The whole command tree, every subcommand with its options: what --help lists. */
    public static CommandLine commandLine(Seams seams) {
        return commandLine(new NpcDaemon(seams), COMMANDS);
    }

    /** Subcommands are added before the settings, which picocli hands only to the subcommands it has. */
    private static CommandLine commandLine(NpcDaemon root, List<Class<?>> commands) {
        CommandLine cli = new CommandLine(root);
        for (Class<?> command : commands) {
            cli.addSubcommand(command);
        }
        return cli;
    }

    /** Runs one command line; returns the exit code. */
    public static int run(Seams seams, String... args) {
        return new NpcDaemon(seams).execute(args);
    }

    private int execute(String... args) {
        // Only the subcommand the arguments name, when they name one: picocli reads every option of
        // every subcommand it is given by reflection, which a timer's follow --once would pay at
        // every run. Without a known name (help, a typo) all are there, as picocli lists them.
        Class<?> named = subcommand(args);
        CommandLine cli = commandLine(this, named == null ? COMMANDS : List.of(named));
        // A unit's ExecStart plus an admin's extra flags may name an option twice: the last one wins.
        cli.setOverwrittenOptionsAllowed(true);
        // What the command line leaves out: the environment, then config.json, then the defaults.
        cli.setDefaultValueProvider(new SettingsDefaults(seams.env()));
        cli.setOut(new PrintWriter(seams.out(), true));
        cli.setErr(new PrintWriter(seams.err(), true));
        // Classes, not lambdas: a lambda implementing picocli's interfaces (class files too old to be
        // linked while the class data sharing archive is written) is spun again at every start.
        cli.setExecutionExceptionHandler(new ExecutionErrors(this));
        cli.setParameterExceptionHandler(new ParameterErrors());
        return cli.execute(args);
    }

    /**
     * The subcommand class the first non-option argument names, or null. It stops at the first
     * match: each class looked at has its annotations parsed, and follow, which a timer runs every
     * minute, comes first.
     */
    static Class<?> subcommand(String... args) {
        String name = null;
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                name = arg;
                break;
            }
        }
        if (name == null) {
            return null;
        }
        for (Class<?> command : COMMANDS) {
            if (command.getAnnotation(Command.class).name().equals(name)) {
                return command;
            }
        }
        return null;
    }

    /** A command's exception: one line (a stack trace with --debug); a usage error exits 2, any other 1. */
    private static final class ExecutionErrors implements CommandLine.IExecutionExceptionHandler {
        private final NpcDaemon root;

        ExecutionErrors(NpcDaemon root) {
            this.root = root;
        }

        @Override
        public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
            boolean usage = e instanceof IllegalArgumentException;
            commandLine.getErr().println("npc-daemon: " + oneLine(e));
            if (root.debug) {
                e.printStackTrace(commandLine.getErr());
            }
            return usage ? USAGE : 1;
        }
    }

    /** A refused command line: an unreadable config.json exits 1, a refused option 2 with its fix. */
    private static final class ParameterErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] argv) {
            CommandLine command = e.getCommandLine();
            ConfigFile.Unreadable config = OptionErrors.unreadableConfig(e);
            if (config != null) {
                command.getErr().println("npc-daemon: " + SafeText.line(config.getMessage()));
                return 1;
            }
            String refused = OptionErrors.line(e);
            if (refused != null) {
                command.getErr().println("npc-daemon: " + SafeText.line(refused));
                return USAGE;
            }
            command.getErr().println("npc-daemon: " + e.getMessage());
            command.getErr().println("Try: " + command.getCommandSpec().qualifiedName() + " --help");
            return USAGE;
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = message.indexOf('\n');
        return SafeText.line(nl < 0 ? message : message.substring(0, nl));
    }

    @Override
    public void run() {
        spec.commandLine().usage(seams.out());
    }
}
