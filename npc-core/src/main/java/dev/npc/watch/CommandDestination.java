package dev.npc.watch;

import dev.npc.digest.Sha256;
import dev.npc.json.Json;
import dev.npc.process.ProcessRunner;
import dev.npc.process.ProcessRunner.ProcessResult;
import dev.npc.process.ShellCommand;
import dev.npc.text.SafeText;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a command line per event ({@link ShellCommand}: {@code /bin/sh -c}, as the daemon's hooks),
 * through the one process seam: the event's JSON on stdin and its fields as NPC_EVENT_* variables. Exit 0 delivers; anything else (or running past the timeout)
 * is tried again later, as a webhook's 5xx is.
 */
public final class CommandDestination implements Destination {
    static final Duration TIMEOUT = Duration.ofMinutes(1);

    private final String command;
    private final ProcessRunner processes;

    public CommandDestination(String command, ProcessRunner processes) {
        this.command = ShellCommand.check("--on-change", command);
        this.processes = processes;
    }

    @Override
    public String id() {
        return "command-" + Sha256.hex(command.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    @Override
    public String describe() {
        return "command " + SafeText.line(firstWord(command));
    }

    @Override
    public Delivery deliver(WatchEvent event) throws InterruptedException {
        ProcessResult result;
        try {
            result = processes.run(ShellCommand.argv(command), environment(event), null, TIMEOUT, Json.write(event));
        } catch (IOException e) {
            return new Failed(describe() + " did not start: " + e.getMessage(), false, null);
        }
        if (result.ok()) {
            return new Delivered();
        }
        String tail = SafeText.line(result.tail(1));
        return new Failed(describe() + (result.timedOut() ? " ran past " + TIMEOUT.toSeconds() + "s"
                : " exited " + result.exitCode()) + (tail.isBlank() ? "" : ": " + tail), false, null);
    }

    /** NPC_EVENT (the kind), NPC_EVENT_ID, _HOST, _REMOTE, _VERSION, _DETAIL, _TEXT, _AT, _STORE; absent fields are empty. */
    static Map<String, String> environment(WatchEvent event) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NPC_EVENT", event.event().id());
        env.put("NPC_EVENT_ID", event.id());
        env.put("NPC_EVENT_HOST", orEmpty(event.host()));
        env.put("NPC_EVENT_REMOTE", orEmpty(event.remote()));
        env.put("NPC_EVENT_VERSION", orEmpty(event.version()));
        env.put("NPC_EVENT_DETAIL", orEmpty(event.detail()));
        env.put("NPC_EVENT_TEXT", orEmpty(event.text()));
        env.put("NPC_EVENT_AT", event.at() == null ? "" : event.at().toString());
        env.put("NPC_EVENT_STORE", orEmpty(event.store()));
        return env;
    }

    /** What the log names the command by: its first word, not its arguments (which may hold a token). */
    private static String firstWord(String line) {
        String trimmed = line.strip();
        int end = 0;
        while (end < trimmed.length() && !Character.isWhitespace(trimmed.charAt(end))) {
            end++;
        }
        return trimmed.substring(0, end);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
