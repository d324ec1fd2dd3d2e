package dev.npc.npcnix;

import dev.npc.digest.Sha256;
import dev.npc.files.Trees;
import dev.npc.pack.PackException;
import dev.npc.pack.PackOptions;
import dev.npc.pack.PackResult;
import dev.npc.pack.Packer;
import dev.npc.pack.UnpackLimits;
import dev.npc.pack.Unpacker;
import dev.npc.process.ProcessRunner;
import dev.npc.remote.RemoteException;
import dev.npc.remote.RemoteMetadata;
import dev.npc.remote.RemoteName;
import dev.npc.remote.RemotePublisher;
import dev.npc.remote.Signing;
import dev.npc.store.GetResult;
import dev.npc.store.Layout;
import dev.npc.store.ObjectInfo;
import dev.npc.store.Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Publishes npcnix remotes as npc remotes ({@code npc import-npcnix}).
 *
 * <p>An npcnix remote is {@code <prefix>/<name>.npcnix}: a tar stream compressed with zstd, with
 * no metadata (npcnix's {@code src/lib.rs}, {@code pack_archive_from}; the key from its
 * {@code terraform/remote_s3} module). Nothing vouches for its bytes, so each is treated as
 * hostile: downloaded within {@link UnpackLimits#maxTotalBytes()}, unpacked by the same
 * {@link Unpacker} hosts use, checked for flake.nix and flake.lock, packed again by the same
 * {@link Packer} as {@code npc push} (as plain files: a {@code .git} that came in the archive is
 * never run), unpacked once more and compared file by file with what the npcnix archive held, and
 * only then published through {@link RemotePublisher}, as {@code npc push} publishes. The npcnix
 * store is only listed and read.
 */
public final class NpcnixImporter {
    /** What npcnix's remote_s3 module appends to a remote's name. */
    public static final String SUFFIX = ".npcnix";

    private final Store from;
    private final Store to;
    private final ProcessRunner processes;
    private final Clock clock;
    private final Path workDir;
    private final UnpackLimits limits;

    /**
     * @param from    the npcnix store (only listed and read)
     * @param to      the npc store to publish into
     * @param workDir an existing directory for downloads and unpacked trees; each remote's files
     *                are deleted when it is done
     */
    public NpcnixImporter(Store from, Store to, ProcessRunner processes, Clock clock, Path workDir,
                          UnpackLimits limits) {
        this.from = from;
        this.to = to;
        this.processes = processes;
        this.clock = clock;
        this.workDir = workDir;
        this.limits = limits;
    }

    /** An npcnix remote found in the listing: {@code <name>.npcnix} directly under the prefix. */
    public record Found(String name, String key, ObjectInfo listed) { }

    /**
     * @param allowUnlocked import a remote without flake.lock (hosts may then build different systems)
     * @param dryRun        do everything but publish
     */
    public record Options(boolean allowUnlocked, boolean dryRun, Signing signing) { }

    public enum Outcome {
        PUBLISHED, UNCHANGED, REPAIRED,
        /** --dry-run: it would be published. */
        WOULD_PUBLISH,
        /** --dry-run: the npc remote already holds this version. */
        WOULD_BE_UNCHANGED,
        /** The npcnix archive is not something npc publishes (hostile, no flake.nix, no flake.lock...). */
        REFUSED,
        /** The npc store did not take it (a failed or unverified write). */
        FAILED;

        public boolean ok() {
            return this != REFUSED && this != FAILED;
        }
    }

    /**
     * What happened to one npcnix remote.
     *
     * @param etag     the npcnix object's ETag as read (null when it could not be read)
     * @param pack     the npc archive (null when refused before packing)
     * @param leftOut  top-level paths of the npcnix archive that npc does not pack, with counts
     * @param sequence the publish sequence written (0 when nothing was written)
     * @param keyId    the key that signed what was written, or null
     * @param reason   why it was refused or failed (one line, bucket text included), else null
     */
    public record Result(Found found, String remote, Outcome outcome, String etag, long npcnixBytes, PackResult pack,
                         List<String> leftOut, long sequence, String keyId, String reason) { }

    /** The npcnix remotes under the prefix, sorted by name. */
    public List<Found> find() throws IOException {
        List<Found> found = new ArrayList<>();
        for (ObjectInfo object : from.list("")) {
            String key = object.key();
            if (key.indexOf('/') < 0 && key.endsWith(SUFFIX) && key.length() > SUFFIX.length()) {
                found.add(new Found(key.substring(0, key.length() - SUFFIX.length()), key, object));
            }
        }
        return found;
    }

    /**
     * Imports one npcnix remote as npc remote {@code remote}. A problem with the archive or the
     * write is returned as a {@link Outcome#REFUSED} or {@link Outcome#FAILED} result; only a
     * failure to reach either store (or this machine's disk) is thrown.
     */
    public Result importOne(Found found, String remote, Options options) throws IOException {
        Path work = Files.createTempDirectory(workDir, ".npc-import-");
        Attempt attempt = new Attempt(found, remote);
        try {
            return attempt.run(work, options);
        } catch (Refusal refusal) {
            return attempt.result(refusal.outcome, refusal.getMessage());
        } finally {
            Trees.deleteRecursively(work);
        }
    }

    /** One remote's import: what is known so far, for the result whatever step it stops at. */
    private final class Attempt {
        private final Found found;
        private final String remote;
        private String etag;
        private long npcnixBytes;
        private PackResult pack;
        private List<String> leftOut = List.of();

        Attempt(Found found, String remote) {
            this.found = found;
            this.remote = remote;
        }

        Result result(Outcome outcome, String reason) {
            return new Result(found, remote, outcome, etag, npcnixBytes, pack, leftOut, 0, null, reason);
        }

        Result run(Path work, Options options) throws IOException, Refusal {
            try {
                RemoteName.check(remote);
            } catch (IllegalArgumentException e) {
                throw new Refusal(Outcome.REFUSED, e.getMessage() + "; import it under another name: --remote "
                        + found.name() + "=NEW-NAME");
            }
            Path download = work.resolve("npcnix.tar.zst");
            download(download);
            Path unpacked = work.resolve("npcnix");
            try (InputStream in = Files.newInputStream(download)) {
                new Unpacker(limits).unpack(in, unpacked);
            } catch (PackException e) {
                throw new Refusal(Outcome.REFUSED, "it is not an archive npc unpacks: " + e.getMessage());
            }
            Files.delete(download);
            checkFlake(unpacked, options.allowUnlocked());

            Path archive = work.resolve("npc.npc");
            try {
                pack = new Packer(processes).pack(unpacked,
                        new PackOptions(List.of(), options.allowUnlocked()).asPlainTree(), archive);
            } catch (PackException e) {
                throw new Refusal(Outcome.REFUSED, "npc cannot pack what it holds: " + e.getMessage());
            }
            leftOut = compare(unpacked, archive, work.resolve("repacked"));

            if (options.dryRun()) {
                String current = to.head(Layout.remote(remote)).map(o -> o.meta(RemoteMetadata.SHA256)).orElse(null);
                return result(pack.sha256().equals(current) ? Outcome.WOULD_BE_UNCHANGED : Outcome.WOULD_PUBLISH, null);
            }
            RemotePublisher.Published published;
            try {
                published = new RemotePublisher(to, clock).publish(remote, archive, pack, options.signing(),
                        UnaryOperator.identity());
            } catch (RemoteException e) {
                throw new Refusal(Outcome.FAILED, e.getMessage());
            }
            RemoteMetadata written = RemoteMetadata.of(published.object());
            Outcome outcome = published.unchanged() ? Outcome.UNCHANGED
                    : published.repaired() ? Outcome.REPAIRED : Outcome.PUBLISHED;
            return new Result(found, remote, outcome, etag, npcnixBytes, pack, leftOut,
                    published.unchanged() ? 0 : Math.max(0, written.sequence()),
                    written.signed() ? written.keyId() : null, null);
        }

        /** Streams the object to {@code file}, never more than the unpack limit's bytes. */
        private void download(Path file) throws IOException, Refusal {
            long max = limits.maxTotalBytes();
            try (GetResult got = from.get(found.key(), null)) {
                if (!(got instanceof GetResult.Found object)) {
                    throw new Refusal(Outcome.REFUSED, "it disappeared after it was listed; run the import again");
                }
                etag = object.info().etag();
                if (object.info().size() > max) {
                    throw new Refusal(Outcome.REFUSED, "it is " + object.info().size() + " bytes, over the import"
                            + " limit of " + max + " bytes; nothing was read");
                }
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    byte[] buffer = new byte[1 << 16];
                    InputStream body = object.body();
                    for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                        npcnixBytes += n;
                        if (npcnixBytes > max) {
                            throw new Refusal(Outcome.REFUSED, "it sends more than " + max + " bytes, over the"
                                    + " import limit; stopped reading");
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
    }

    /** npcnix hosts run {@code nixos-rebuild switch --flake .#<configuration>} in the unpacked directory. */
    private static void checkFlake(Path unpacked, boolean allowUnlocked) throws IOException, Refusal {
        // As npc push checks them: a symlink inside the tree (all the unpacker lets in) counts.
        if (!Files.isRegularFile(unpacked.resolve("flake.nix"))) {
            String nested = nestedFlake(unpacked);
            throw new Refusal(Outcome.REFUSED, "it has no flake.nix at its top"
                    + (nested == null ? "" : " (it is at '" + nested + "/flake.nix': the archive has a top-level"
                    + " directory, so npcnix hosts, which build in the unpacked directory, could not build it either)")
                    + "; publish the directory that holds flake.nix: npc push --src DIR --remote NAME");
        }
        if (!Files.isRegularFile(unpacked.resolve("flake.lock")) && !allowUnlocked) {
            throw new Refusal(Outcome.REFUSED, "it has no flake.lock, so each host would resolve the flake's inputs"
                    + " itself and hosts could build different systems from one version; in the flake's checkout run"
                    + " `nix flake lock`, commit flake.lock and push it again (npcnix push, or npc push), then import"
                    + " again; or pass --allow-unlocked to import it unpinned");
        }
    }

    /** The one top-level directory holding flake.nix, when that is all the archive's top holds. */
    private static String nestedFlake(Path unpacked) throws IOException {
        List<Path> top;
        try (Stream<Path> list = Files.list(unpacked)) {
            top = list.toList();
        }
        if (top.size() == 1 && Files.isDirectory(top.get(0), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(top.get(0).resolve("flake.nix"), LinkOption.NOFOLLOW_LINKS)) {
            return top.get(0).getFileName().toString();
        }
        return null;
    }

    /**
     * Unpacks the npc archive with the same unpacker and compares it with the npcnix tree: every
     * path it holds must be the same there (kind, bytes, owner exec bit, link target). Returns
     * what the npcnix tree held that the npc archive does not, by top-level name with counts.
     */
    private List<String> compare(Path npcnix, Path archive, Path repacked) throws IOException, Refusal {
        try (InputStream in = Files.newInputStream(archive)) {
            new Unpacker(limits).unpack(in, repacked);
        } catch (PackException e) {
            throw new Refusal(Outcome.FAILED, "npc's own archive of it does not unpack (" + e.getMessage()
                    + "); nothing published; report this as a bug in npc");
        }
        SortedMap<String, String> before = describe(npcnix);
        SortedMap<String, String> after = describe(repacked);
        Trees.deleteRecursively(repacked);
        for (Map.Entry<String, String> entry : after.entrySet()) {
            if (!entry.getValue().equals(before.get(entry.getKey()))) {
                throw new Refusal(Outcome.FAILED, "npc's own archive of it differs at '" + entry.getKey()
                        + "' from what the npcnix archive holds; nothing published; report this as a bug in npc");
            }
        }
        SortedMap<String, Integer> dropped = new TreeMap<>();
        for (String path : before.keySet()) {
            if (!after.containsKey(path)) {
                int slash = path.indexOf('/');
                boolean directory = before.get(path).equals(DIRECTORY);
                String top = slash >= 0 ? path.substring(0, slash + 1) : directory ? path + "/" : path;
                dropped.merge(top, directory ? 0 : 1, Integer::sum);
            }
        }
        List<String> leftOut = new ArrayList<>();
        dropped.forEach((top, files) -> leftOut.add(top.endsWith("/")
                ? top + " (" + files + (files == 1 ? " file)" : " files)") : top));
        return leftOut;
    }

    private static final String DIRECTORY = "directory";

    /** Path to "directory", "symlink TARGET" or "file SHA256 [exec]", never following links. */
    private static SortedMap<String, String> describe(Path root) throws IOException {
        SortedMap<String, String> tree = new TreeMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.equals(root)).toList();
        }
        for (Path path : paths) {
            String name = root.relativize(path).toString();
            PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attrs.isDirectory()) {
                tree.put(name, DIRECTORY);
            } else if (attrs.isSymbolicLink()) {
                tree.put(name, "symlink " + Files.readSymbolicLink(path));
            } else {
                tree.put(name, "file " + Sha256.hex(path)
                        + (attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE) ? " exec" : ""));
            }
        }
        return tree;
    }

    /** Why one remote stops: reported in its result, the others go on. */
    private static final class Refusal extends Exception {
        private final Outcome outcome;

        Refusal(Outcome outcome, String message) {
            super(message);
            this.outcome = outcome;
        }
    }
}
