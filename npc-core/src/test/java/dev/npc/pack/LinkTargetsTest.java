package dev.npc.pack;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class LinkTargetsTest {
    @Test
    void relativeTargetsInsideTheTreeAreAllowed() {
        assertNull(LinkTargets.problem("a", "b"));
        assertNull(LinkTargets.problem("a/l", "../b"));
        assertNull(LinkTargets.problem("a/b/l", "../../c/d"));
        assertNull(LinkTargets.problem("a/l", "./x/./y"));
        assertNull(LinkTargets.problem("l", "."));
    }

    @Test
    void absoluteEscapingAndDetouringTargetsAreRefused() {
        assertNotNull(LinkTargets.problem("l", "/etc/passwd"));
        assertNotNull(LinkTargets.problem("l", ".."));
        assertNotNull(LinkTargets.problem("a/l", "../../x"));
        assertNotNull(LinkTargets.problem("a/b/l", "m/../../.."), "the kernel resolves m/.. through m's target");
        assertNotNull(LinkTargets.problem("l", ""));
    }
}
