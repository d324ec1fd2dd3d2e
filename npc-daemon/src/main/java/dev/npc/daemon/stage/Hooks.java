package dev.npc.daemon.stage;

import dev.npc.daemon.config.Settings;
import dev.npc.process.ShellCommand;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Step 7, hooks: the admin's shell commands around an activation (pre-activate, post-activate,
 * on-failure), told what happens through NPC_HOST, NPC_REMOTE, NPC_VERSION, NPC_RESULT, NPC_ERROR.
 */
public final class Hooks {
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Commands commands;
    private final Settings.Hooks hooks;
    private final String host;

    public Hooks(Commands commands, Settings.Hooks hooks, String host) {
        this.commands = commands;
        this.hooks = hooks;
        this.host = host;
    }

    /** @throws StageFailure when the hook fails: the activation must not go ahead */
    public void preActivate(String remote, String version) throws StageFailure, InterruptedException {
        run("pre-activate", hooks.preActivate(), remote, version, "", "");
    }

    public void postActivate(String remote, String version) throws StageFailure, InterruptedException {
        run("post-activate", hooks.postActivate(), remote, version, "success", "");
    }

    public void onFailure(String remote, String version, String result, String error)
            throws StageFailure, InterruptedException {
        run("on-failure", hooks.onFailure(), remote, version, result, error);
    }

    private void run(String name, String command, String remote, String version, String result, String error)
            throws StageFailure, InterruptedException {
        if (command == null || command.isBlank()) {
            return;
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NPC_HOST", host);
        env.put("NPC_REMOTE", remote == null ? "" : remote);
        env.put("NPC_VERSION", version == null ? "" : version);
        env.put("NPC_RESULT", result == null ? "" : result);
        // Errors quote text from the bucket, and hooks tend to echo them to a terminal, mail or chat.
        env.put("NPC_ERROR", error == null ? "" : dev.npc.text.SafeText.line(error));
        commands.run(name + " hook", ShellCommand.argv(command), env, TIMEOUT);
    }
}
