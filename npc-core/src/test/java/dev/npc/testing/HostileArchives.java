package dev.npc.testing;

import org.apache.commons.compress.archivers.tar.TarConstants;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Archives a remote must never be able to unpack: each tries to write outside the destination or
 * to create something other than files, directories and relative symlinks. The key says what it
 * tries; {@link #ESCAPE_MARKER} is the file name each one aims at outside the destination.
 */
public final class HostileArchives {
    /** The name hostile archives try to create next to (outside) the destination. */
    public static final String ESCAPE_MARKER = "escaped";

    private HostileArchives() { }

    /** Every hostile archive, by what it tries. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("dot-dot name", base().file("../" + ESCAPE_MARKER, "x").build());
        all.put("dot-dot inside a name", base().file("a/../../" + ESCAPE_MARKER, "x").build());
        all.put("absolute name", base().file("/tmp/npc-hostile-" + ESCAPE_MARKER, "x").build());
        all.put("file through an earlier symlink to the parent",
                base().symlink("up", "..").file("up/" + ESCAPE_MARKER, "x").build());
        all.put("file through an earlier symlink to the destination itself",
                base().symlink("here", ".").file("here/" + ESCAPE_MARKER, "x").build());
        all.put("file through an earlier symlink that stays inside",
                base().symlink("s", "sub").file("s/" + ESCAPE_MARKER, "x").build());
        all.put("absolute symlink", base().symlink("etc", "/etc").build());
        all.put("escaping symlink", base().directory("a").symlink("a/out", "../../" + ESCAPE_MARKER).build());
        all.put("symlink climbing after a name", base().directory("a").directory("a/b")
                .symlink("a/b/m", "../..").symlink("a/b/l", "m/../../..").build());
        all.put("hard link", base().hardLink("h", "/etc/passwd").build());
        all.put("hard link inside", base().file("f", "x").hardLink("h", "f").build());
        all.put("fifo", base().special("p", TarConstants.LF_FIFO).build());
        all.put("character device", base().special("null", TarConstants.LF_CHR).build());
        all.put("block device", base().special("sda", TarConstants.LF_BLK).build());
        all.put("duplicate file", base().file("f", "one").file("f", "two").build());
        all.put("file replacing a symlink", base().symlink("f", "flake.nix").file("f", "x").build());
        all.put("directory over a file", base().file("d", "x").directory("d").build());
        all.put("file under a file", base().file("d", "x").file("d/e", "y").build());
        return all;
    }

    /** A harmless start, so each hostile entry comes after something has already been written. */
    private static TestArchives base() {
        return TestArchives.builder().file("flake.nix", TestFlakes.FLAKE_NIX).directory("sub").file("sub/x", "x");
    }
}
