package dev.npc.demo;

import dev.npc.files.Trees;
import dev.npc.cli.NpcCli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import java.nio.file.Files;
import java.nio.file.Path;

import java.nio.file.StandardCopyOption;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code npc demo}: the whole npc loop on one machine. An S3-compatible server on loopback is the
 * bucket, the real npc commands publish and promote, and three real npc-daemons follow it on
 * simulated hosts. Nothing outside a temporary directory is touched and nothing keeps running.
 */
public final class Demo {
    static final String BUCKET = "npc-demo";
    static final String STORE = "s3://" + BUCKET + "/fleet";
    private static final java.util.Set<String> SKIPPED_DIRS =
            java.util.Set.of("target", "node_modules", ".git", ".terraform", ".npc", ".direnv");
    private static final String[][] HOSTS = {{"canary-1", "prod-canary"}, {"web-1", "prod"}, {"web-2", "prod"}};

    /** The fleet page the demo ends with: beside its temporary directory, so it outlives it. */
    static final String PAGE = "npc-fleet.html";

    private final PrintWriter out;
    private final Path example;
    private String endpoint;

    Demo(PrintWriter out, Path example) {
        this.out = out;
        this.example = example;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        Path example = args.length > 0 ? Path.of(args[0]) : defaultExample();
        int code;
        try {
            code = new Demo(out, example).run();
        } catch (Exception e) {
            out.println("npc demo: " + e.getMessage());
            code = 1;
        }
        out.flush();
        // The embedded server's pools are not all daemon threads; the demo must leave nothing behind.
        System.exit(code);
    }

    /** The example fleet: this checkout's root flake (-Dnpc.home, or the checkout the jar was built in). */
    static Path defaultExample() {
        String home = System.getProperty("npc.home");
        if (home == null) {
            try {
                Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                home = jar.getParent().getParent().getParent().toString();
            } catch (Exception e) {
                home = ".";
            }
        }
        return Path.of(home);
    }

    /**
     * Runs the demo in this JVM (the test suite does), printing to {@code out}.
     *
     * @return 0 when the story went as it should: the good versions rolled out, the bad one stopped at the canary
     */
    public static int run(PrintWriter out, Path example) throws Exception {
        return new Demo(out, example).run();
    }

    /** As {@link #run(PrintWriter, Path)}, with its temporary directory made inside {@code scratch}. */
    public static int run(PrintWriter out, Path example, Path scratch) throws Exception {
        return new Demo(out, example).run(scratch);
    }

    int run() throws Exception {
        return run(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private int run(Path scratch) throws Exception {
        if (!Files.isRegularFile(example.resolve("flake.nix"))) {
            throw new IllegalArgumentException(example + " has no flake.nix; run the demo from the npc checkout"
                    + " or pass the checkout's directory");
        }
        Path work = Files.createTempDirectory(scratch, "npc-demo-");
        try {
            return story(work, scratch.resolve(PAGE).toAbsolutePath());
        } finally {
            Trees.deleteRecursively(work);
        }
    }

    private int story(Path work, Path page) throws Exception {
        Path flake = work.resolve("fleet");
        copyTree(example, flake);
        title("npc demo: the whole loop on this machine (no AWS account, no NixOS)");
        say("The hosts are SIMULATED: each runs the real npc-daemon, but the system commands it calls");
        say("(nix build, nix-env, switch-to-configuration, systemctl) are printed and played on a");
        say("temporary directory instead of run. Everything else is real: the S3 protocol, the pack");
        say("format, verification, state reports, rollback, status, wait and rollout.");

        step(1, "An S3-compatible server (S3Proxy, in memory) on loopback is the bucket");
        try (LocalS3 s3 = LocalS3.start(BUCKET)) {
            endpoint = s3.endpointUrl();
            System.setProperty("aws.accessKeyId", LocalS3.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", LocalS3.SECRET_KEY);
            System.setProperty("aws.region", LocalS3.REGION);
            say("  store " + STORE + " at " + endpoint);

            step(2, "CI publishes the fleet flake (this checkout) and promotes it to both waves");
            npc("push", "--src", flake.toString(), "--remote", "staging");
            npc("promote", "staging", "prod-canary");
            npc("promote", "staging", "prod");

            step(3, "Terraform (here: npc hosts set) decides which remote each host follows");
            for (String[] host : HOSTS) {
                npc("hosts", "set", host[0], "--remote", host[1]);
            }

            step(4, "Three hosts start npc-daemon; each polls every second, builds, switches, checks, reports");
            try (SimulatedFleet fleet = new SimulatedFleet()) {
                for (String[] host : HOSTS) {
                    fleet.start(host[0], work.resolve("hosts").resolve(host[0]), STORE, s3, out);
                }
                int first = npc("wait", "--remote", "prod-canary", "--timeout", "60s", "--every", "500ms");
                int second = npc("wait", "--remote", "prod", "--timeout", "60s", "--every", "500ms");

                step(5, "A change is merged: CI pushes it to staging, and it rolls out canary first, then prod");
                edit(flake, "nixos/example/modules/common.nix", "# demo change: a new version of the fleet\n");
                npc("push", "--src", flake.toString(), "--remote", "staging");
                int good = npc("rollout", "--from", "staging", "--through", "prod-canary,prod", "--timeout", "60s",
                        "--every", "500ms");

                step(6, "A broken change: the canary's health check fails, it rolls back, the rollout stops there");
                edit(flake, "nixos/example/modules/web.nix", "# " + SimulatedHost.BREAK_MARKER + " (nginx will not start)\n");
                npc("push", "--src", flake.toString(), "--remote", "staging");
                int bad = npc("rollout", "--from", "staging", "--through", "prod-canary,prod", "--timeout", "60s",
                        "--every", "500ms");

                step(7, "The fleet as npc status shows it: the canary rolled back, prod never saw the bad version");
                npc("status");
                npc("remotes");
                int written = npc("status", "--html", page.toString());
                boolean asExpected = first == 0 && second == 0 && good == 0 && bad == 1 && written == 0;
                say("");
                say(asExpected ? "The demo went as it should." : "The demo did NOT go as it should: see the output above.");
                realBucketHint();
                say("");
                say("The fleet page of this demo (it stays when the demo ends; open it in a browser):");
                say("  " + page.toUri());
                return asExpected ? 0 : 1;
            }
        }
    }

    private int npc(String... args) {
        out.println();
        out.println("  $ npc " + String.join(" ", Arrays.stream(args).map(this::shorten).toList()));
        out.flush();
        List<String> full = new ArrayList<>(List.of(args));
        full.addAll(List.of("--store", STORE, "--endpoint-url", endpoint));
        PrintWriter indented = new PrintWriter(new IndentingWriter(out, "  "), true);
        int code = NpcCli.run(indented, indented, full.toArray(String[]::new));
        indented.flush();
        if (code != 0) {
            out.println("  (exit " + code + ")");
        }
        return code;
    }

    private String shorten(String arg) {
        return arg.contains("npc-demo-") && arg.endsWith("fleet") ? "." : arg;
    }

    private void realBucketHint() {
        say("");
        say("To run the same commands against a real bucket:");
        say("  export NPC_STORE=s3://YOUR-BUCKET/fleet      # credentials: the usual AWS chain (env, profile, SSO)");
        say("  ./npc push --src . --remote staging");
        say("  ./npc hosts set web-1 --remote prod            # or terraform/modules/host");
        say("  ./npc rollout --from staging --through prod-canary,prod");
        say("  ./npc status                                  # or: ./npc status --serve, then http://127.0.0.1:8417/");
        say("Hosts run npc-daemon through the NixOS module (nixos/module.nix); new EC2 hosts boot into it");
        say("with terraform/modules/host/bootstrap/. See README.md.");
    }

    private void title(String text) {
        say(text);
        say("=".repeat(text.length()));
    }

    private void step(int number, String text) {
        say("");
        say("[" + number + "/7] " + text);
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static void edit(Path flake, String file, String prepend) throws IOException {
        Path path = flake.resolve(file);
        Files.writeString(path, prepend + Files.readString(path));
    }

    /**
     * Copies the checkout without its build output, installed tools and VCS data (the same things
     * the root .npcignore leaves out of a push from outside git), so the copy stays small.
     */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path relative = from.relativize(source);
                if (skipped(relative)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (!source.getFileName().toString().startsWith("result")) {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean skipped(Path relative) {
        for (Path part : relative) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    /** Indents what a command prints, so the narration stands out. */
    private static final class IndentingWriter extends java.io.Writer {
        private final PrintWriter out;
        private final String indent;
        private boolean lineStart = true;

        IndentingWriter(PrintWriter out, String indent) {
            this.out = out;
            this.indent = indent;
        }

        @Override
        public void write(char[] buffer, int offset, int length) {
            synchronized (out) {
                for (int i = offset; i < offset + length; i++) {
                    if (lineStart) {
                        out.print(indent);
                        lineStart = false;
                    }
                    out.print(buffer[i]);
                    if (buffer[i] == '\n') {
                        lineStart = true;
                    }
                }
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
