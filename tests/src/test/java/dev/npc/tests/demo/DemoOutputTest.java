package dev.npc.tests.demo;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the README's demo block must show of steps 6 and 7, on a made-up run of the demo. */
class DemoOutputTest {
    private static final String STEPS = """
            [6/7] npc promote prod-canary
                canary-1 npc-daemon: downloading d4588699 (prod-canary/canary-1)
            """;
    private static final List<String> BLOCK = List.of("[6/7] npc promote prod-canary",
            "    canary-1 npc-daemon: downloading d4588699 (prod-canary/canary-1)");

    @Test
    void aPollThatFoundNothingNewMayFallIntoTheStepsUnshown() {
        DemoOutput.assertSameShape(BLOCK, STEPS
                + "    canary-1 npc-daemon: 76b11569 (prod-canary/canary-1) is up to date\n  $ npc remotes\n");
    }

    @Test
    void whatTheCanaryDoesMustBeShown() {
        assertThrows(AssertionError.class, () -> DemoOutput.assertSameShape(BLOCK, STEPS
                + "    canary-1 npc-daemon: building d4588699 (prod-canary/canary-1)\n  $ npc remotes\n"));
    }
}
