package dev.npc.cli.support;

/** Whether a person is watching: colour, symbols and progress only then, never in pipes or CI logs. */
public final class Terminal {
    private Terminal() { }

    public static boolean interactive() {
        return System.console() != null && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
    }
}
