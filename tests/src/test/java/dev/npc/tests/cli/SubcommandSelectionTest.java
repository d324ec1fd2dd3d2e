package dev.npc.tests.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * npc builds only the subcommand its arguments name; everything that needs the whole list (the
 * usage, help, a mistyped command) still gets it.
 */
class SubcommandSelectionTest {
    @Test
    void theUsageListsEveryCommand() {
        for (CliRun run : new CliRun[] {CliRun.npc(), CliRun.npc("--help"), CliRun.npc("--debug", "--help")}) {
            for (String command : new String[] {"pack", "push", "status", "wait", "keys", "import-npcnix", "demo", "help"}) {
                assertTrue(run.out().contains("\n  " + command + " "), command + " in\n" + run);
            }
        }
    }

    @Test
    void helpNamesAnyCommand() {
        CliRun run = CliRun.npc("help", "status");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("Usage: npc status "), run.toString());
    }

    @Test
    void theRootsOptionsMayComeFirst() {
        CliRun run = CliRun.npc("--debug", "pack", "--help");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("Usage: npc pack "), run.toString());
    }

    @Test
    void theVersionAlone() {
        for (String flag : new String[] {"--version", "-V"}) {
            CliRun run = CliRun.npc(flag);
            assertEquals(0, run.exitCode(), run.toString());
            assertEquals("npc 0.1.0\n", run.out(), run.toString());
        }
    }

    @Test
    void aMistypedCommandIsAUsageError() {
        CliRun run = CliRun.npc("stauts");
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("'stauts'"), run.toString());
    }
}
