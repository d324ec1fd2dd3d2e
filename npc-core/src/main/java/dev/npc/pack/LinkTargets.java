package dev.npc.pack;

/**
 * Decides whether a symlink may be packed or unpacked. Both sides apply the same rule, so every
 * archive npc writes is one npc will unpack.
 *
 * <p>The rule is stricter than "resolves inside the tree": a target must be relative and have
 * {@code ..} only as leading components ({@code ../lib/x}, not {@code a/../../x}). A lexical check
 * alone is not enough, because the kernel resolves {@code link/..} as the parent of the link's
 * <em>target</em>, so {@code m/../..} through a link {@code m} can climb higher than the text says.
 * With leading {@code ..} only, every climb happens in real directories, and every link followed
 * later obeys the same rule, so no chain of links can leave the tree.
 */
final class LinkTargets {
    private LinkTargets() { }

    /**
     * @param linkPath the link's '/'-separated path relative to the tree root
     * @param target   the link's target as stored
     * @return null when the link is safe, else why it is not (for a one-line message)
     */
    static String problem(String linkPath, String target) {
        if (target.isEmpty()) {
            return "is empty";
        }
        if (target.indexOf('\0') >= 0) {
            return "contains a NUL character";
        }
        if (target.startsWith("/")) {
            return "is absolute";
        }
        int depth = linkPath.split("/", -1).length - 1; // directories above the link inside the tree
        boolean seenName = false;
        for (String part : target.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (seenName) {
                    return "has '..' after a name";
                }
                depth--;
                if (depth < 0) {
                    return "leads outside the directory";
                }
            } else {
                seenName = true;
            }
        }
        return null;
    }
}
