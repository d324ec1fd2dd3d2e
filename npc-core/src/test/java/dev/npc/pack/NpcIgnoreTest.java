package dev.npc.pack;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpcIgnoreTest {
    @Test
    void nameWithoutSlashMatchesAtAnyDepth() throws Exception {
        NpcIgnore ignore = NpcIgnore.parse("*.log\nbuild");
        assertTrue(ignore.ignores("a.log", false));
        assertTrue(ignore.ignores("x/y/a.log", false));
        assertTrue(ignore.ignores("x/build", true));
        assertTrue(ignore.ignores("build", false));
        assertFalse(ignore.ignores("a.log.nix", false));
        assertFalse(ignore.ignores("builds", false));
    }

    @Test
    void slashAnchorsAtTheFlakeDirectory() throws Exception {
        NpcIgnore ignore = NpcIgnore.parse("/local.nix\nhosts/*.tmp");
        assertTrue(ignore.ignores("local.nix", false));
        assertFalse(ignore.ignores("x/local.nix", false));
        assertTrue(ignore.ignores("hosts/a.tmp", false));
        assertFalse(ignore.ignores("x/hosts/a.tmp", false));
        assertFalse(ignore.ignores("hosts/x/a.tmp", false), "* does not cross /");
    }

    @Test
    void trailingSlashMatchesDirectoriesOnly() throws Exception {
        NpcIgnore ignore = NpcIgnore.parse("out/");
        assertTrue(ignore.ignores("out", true));
        assertTrue(ignore.ignores("a/out", true));
        assertFalse(ignore.ignores("out", false));
    }

    @Test
    void doubleStarCrossesDirectories() throws Exception {
        NpcIgnore ignore = NpcIgnore.parse("**/cache\ndocs/**\na/**/z.nix");
        assertTrue(ignore.ignores("cache", true));
        assertTrue(ignore.ignores("p/q/cache", false));
        assertTrue(ignore.ignores("docs/x/y", false));
        assertFalse(ignore.ignores("docs", true), "docs/** is what is inside docs");
        assertTrue(ignore.ignores("a/z.nix", false));
        assertTrue(ignore.ignores("a/b/c/z.nix", false));
        assertFalse(ignore.ignores("b/a/z.nix", false));
    }

    @Test
    void questionMarkIsOneCharacterAndRegexCharactersAreLiteral() throws Exception {
        NpcIgnore ignore = NpcIgnore.parse("file?.nix\n# comment\n\nx+(y).nix   ");
        assertTrue(ignore.ignores("file1.nix", false));
        assertFalse(ignore.ignores("file12.nix", false));
        assertTrue(ignore.ignores("x+(y).nix", false));
        assertFalse(ignore.ignores("# comment", false));
        assertFalse(ignore.ignores("xx(y).nix", false));
    }

    @Test
    void unsupportedSyntaxIsRefused() {
        assertThrows(PackException.class, () -> NpcIgnore.parse("!keep"));
        assertThrows(PackException.class, () -> NpcIgnore.parse("[ab].nix"));
        assertThrows(PackException.class, () -> NpcIgnore.parse("a\\ b"));
        assertThrows(PackException.class, () -> NpcIgnore.parse("/"));
    }
}
