import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes nix/maven-lock.json: every file the Nix package build needs from Maven Central, with its
 * URL and sha256, so that flake.nix can fetch each one as a fixed-output derivation and build offline.
 *
 * <p>It runs the package build (the arguments in nix/maven-build.args, exactly what flake.nix runs)
 * on a copy of the poms and main sources, with an empty local repository, and with a mirror on
 * loopback in front of Maven Central: the mirror records every file Maven fetches and hashes the
 * bytes it hands over. The lock is that record. A single-file program (java nix/MavenLock.java)
 * so that it runs on a machine with only a JDK and the Maven wrapper; see --help.
 */
public final class MavenLock {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    static final Path ARGS_FILE = Path.of("nix/maven-build.args");
    static final Path LOCK_FILE = Path.of("nix/maven-lock.json");
    /** What a repository path may contain: also safe in JSON, in a Nix string and in a store path name. */
    static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*(/[A-Za-z0-9][A-Za-z0-9._+-]*)+");
    static final Pattern CHECKSUM = Pattern.compile(".*\\.(sha1|sha256|sha512|md5|asc)$");
    static final Set<String> SKIPPED_DIRS = Set.of("target", ".git", "node_modules", ".terraform", "result");

    static final String USAGE = """
            usage: nix/maven-lock.sh [--check] [--from-local-repository DIR] [--maven COMMAND]

            Regenerates nix/maven-lock.json, the list of every file (jar, pom, parent pom, BOM, plugin
            and plugin dependency) that the Nix package build needs from Maven Central, each with its
            URL and sha256. Run it whenever a dependency or plugin changes in a pom.xml, or when
            nix/maven-build.args changes, and commit the result.

            It builds the package exactly as flake.nix does (the arguments in nix/maven-build.args) on
            a copy of the poms and main sources, with an empty local repository, through a mirror on
            127.0.0.1 that fetches each file from Maven Central (checksums checked strictly) and
            records it. Needs a JDK and the network to Maven Central; nothing else.

              --check                       compare with nix/maven-lock.json instead of writing it;
                                            exit 1 and list the differences when they disagree
              --from-local-repository DIR   serve files from DIR (e.g. ~/.m2/repository) instead of
                                            Maven Central: no network; a file missing there fails
              --maven COMMAND               the Maven to run (default: ./mvnw, the project's wrapper)
              -h, --help                    this text
            """;

    public static void main(String[] argv) throws Exception {
        try {
            run(argv);
        } catch (Failure failure) {
            System.err.println("maven-lock: " + failure.getMessage());
            System.exit(failure.code);
        }
    }

    static void run(String[] argv) throws Exception {
        boolean check = false;
        Path localRepository = null;
        String maven = "./mvnw";
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--check" -> check = true;
                case "--from-local-repository" -> localRepository = Path.of(value(argv, ++i, "--from-local-repository"));
                case "--maven" -> maven = value(argv, ++i, "--maven");
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> fail(2, "unknown argument '" + argv[i] + "'\n" + USAGE);
            }
        }
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isRegularFile(root.resolve(ARGS_FILE)) || !Files.isRegularFile(root.resolve("pom.xml"))) {
            fail(2, "run this from the npc checkout (through nix/maven-lock.sh): no " + ARGS_FILE + " in " + root);
        }
        if (localRepository != null && !Files.isDirectory(localRepository)) {
            fail(2, "--from-local-repository " + localRepository + " is not a directory");
        }
        List<String> mavenArgs = readArgs(root.resolve(ARGS_FILE));

        Path work = Files.createTempDirectory("npc-maven-lock-");
        try {
            SortedMap<String, String> artifacts = record(root, work, maven, mavenArgs, localRepository);
            String lock = render(mavenArgs, artifacts);
            Path lockFile = root.resolve(LOCK_FILE);
            if (check) {
                String current = Files.isRegularFile(lockFile) ? Files.readString(lockFile) : "";
                if (!current.equals(lock)) {
                    System.err.print(differences(current, lock));
                    fail(1, LOCK_FILE + " does not match what the build needs; run nix/maven-lock.sh and commit it");
                }
                System.out.println(LOCK_FILE + " is up to date: " + artifacts.size() + " files");
            } else {
                Path temp = lockFile.resolveSibling(lockFile.getFileName() + ".tmp");
                Files.writeString(temp, lock);
                Files.move(temp, lockFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                System.out.println("wrote " + LOCK_FILE + ": " + artifacts.size() + " files");
            }
        } finally {
            deleteTree(work);
        }
    }

    /** Runs the build through the recording mirror; returns repository path -> SRI sha256 of every file fetched. */
    static SortedMap<String, String> record(Path root, Path work, String maven, List<String> mavenArgs,
                                            Path localRepository) throws Exception {
        Path source = work.resolve("source");
        copyBuildInputs(root, source);
        Path repository = Files.createDirectories(work.resolve("repository"));
        Mirror mirror = new Mirror(localRepository);
        mirror.start();
        try {
            Path settings = Files.writeString(work.resolve("settings.xml"), """
                    <settings>
                      <mirrors>
                        <mirror><id>npc-maven-lock</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                      </mirrors>
                    </settings>
                    """.formatted(mirror.url()));
            List<String> command = new ArrayList<>(List.of(maven, "--no-transfer-progress",
                    "--settings", settings.toString(), "-Dmaven.repo.local=" + repository,
                    "--file", source.resolve("pom.xml").toString()));
            if (localRepository == null) {
                command.add("--strict-checksums"); // Central's .sha1 files must match the bytes
            }
            command.addAll(mavenArgs);
            Path log = work.resolve("maven.log");
            System.err.println("maven-lock: " + String.join(" ", command));
            Process process = new ProcessBuilder(command).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int exit = process.waitFor();
            if (exit != 0 || !mirror.errors.isEmpty()) {
                List<String> lines = Files.readAllLines(log);
                System.err.println(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                mirror.errors.forEach(e -> System.err.println("maven-lock: " + e));
                fail(1, "the package build failed (exit " + exit + "); its output is above");
            }
        } finally {
            mirror.stop();
        }
        if (!mirror.metadata.isEmpty()) {
            fail(1, "the build asked for Maven metadata, which changes over time and cannot be pinned: "
                    + mirror.metadata + "; give every plugin and dependency a fixed version (no ranges, no SNAPSHOTs)");
        }
        checkLocalRepository(repository, mirror.served);
        return new TreeMap<>(mirror.served);
    }

    /** Every jar and pom Maven kept must be one the mirror served, with the same bytes: nothing came from elsewhere. */
    static void checkLocalRepository(Path repository, Map<String, String> served) throws IOException {
        Set<String> kept = new TreeSet<>();
        try (Stream<Path> files = Files.walk(repository)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String path = repository.relativize(file).toString().replace('\\', '/');
                if (path.endsWith(".jar") || path.endsWith(".pom")) {
                    kept.add(path);
                    if (!served.containsKey(path)) {
                        fail(1, "Maven's local repository holds " + path + ", which the mirror never served");
                    }
                    if (!served.get(path).equals(sri(Files.readAllBytes(file)))) {
                        fail(1, path + " in Maven's local repository differs from the bytes the mirror served");
                    }
                }
            }
        }
        for (String path : served.keySet()) {
            if (!kept.contains(path)) {
                fail(1, "the mirror served " + path + ", but Maven did not keep it");
            }
        }
    }

    /** The poms (all modules: Maven reads the whole reactor) and main sources, as the Nix build sees them. */
    static void copyBuildInputs(Path root, Path target) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return dir.equals(root) || !SKIPPED_DIRS.contains(dir.getFileName().toString())
                        ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String path = root.relativize(file).toString().replace('\\', '/');
                if (attrs.isRegularFile() && (path.endsWith("pom.xml") && !path.contains("/src/")
                        || path.matches("[^/]+/src/main/.*"))) {
                    Path copy = target.resolve(path);
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** One argument per line; blank lines and # comments skipped (the format flake.nix reads too). */
    static List<String> readArgs(Path file) throws IOException {
        List<String> args = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceAll("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!line.matches("[A-Za-z0-9=:,._/+-]+")) {
                fail(2, file.getFileName() + " line " + (i + 1) + ": '" + line
                        + "' is not one argument of letters, digits and =:,._/+-");
            }
            args.add(line);
        }
        return args;
    }

    static String render(List<String> mavenArgs, SortedMap<String, String> artifacts) {
        StringBuilder json = new StringBuilder();
        json.append("{\n");
        json.append("  \"comment\": \"Generated by nix/maven-lock.sh: every file the package build (nix/maven-build.args)"
                + " fetches from Maven Central. Do not edit; regenerate when a pom.xml changes.\",\n");
        json.append("  \"mavenArgs\": [");
        for (int i = 0; i < mavenArgs.size(); i++) {
            json.append(i == 0 ? "" : ", ").append('"').append(mavenArgs.get(i)).append('"');
        }
        json.append("],\n");
        json.append("  \"artifacts\": [\n");
        int i = 0;
        for (Map.Entry<String, String> artifact : artifacts.entrySet()) {
            json.append("    {\"path\": \"").append(artifact.getKey())
                    .append("\", \"url\": \"").append(CENTRAL).append(artifact.getKey())
                    .append("\", \"hash\": \"").append(artifact.getValue()).append("\"}")
                    .append(++i < artifacts.size() ? ",\n" : "\n");
        }
        json.append("  ]\n");
        json.append("}\n");
        return json.toString();
    }

    /** The entries that differ, by path: + needed but not locked, - locked but not needed, ~ other hash. */
    static String differences(String current, String wanted) {
        Map<String, String> have = entries(current);
        Map<String, String> want = entries(wanted);
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : want.entrySet()) {
            String old = have.get(e.getKey());
            if (old == null) {
                out.append("+ ").append(e.getKey()).append(" (needed, not in the lock)\n");
            } else if (!old.equals(e.getValue())) {
                out.append("~ ").append(e.getKey()).append(" (lock says ").append(old)
                        .append(", the file is ").append(e.getValue()).append(")\n");
            }
        }
        for (String path : have.keySet()) {
            if (!want.containsKey(path)) {
                out.append("- ").append(path).append(" (in the lock, not needed)\n");
            }
        }
        if (out.length() == 0) {
            out.append("the artifacts agree; the rest of the file differs (mavenArgs, or the file was edited)\n");
        }
        return out.toString();
    }

    static Map<String, String> entries(String lock) {
        Map<String, String> entries = new TreeMap<>();
        Matcher m = Pattern.compile("\"path\": \"([^\"]+)\", \"url\": \"[^\"]+\", \"hash\": \"([^\"]+)\"").matcher(lock);
        while (m.find()) {
            entries.put(m.group(1), m.group(2));
        }
        return entries;
    }

    static String sri(byte[] bytes) {
        try {
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The repository Maven sees: a loopback HTTP server answering GET /maven2/PATH from Maven
     * Central (or a local repository), recording every artifact it serves.
     */
    static final class Mirror {
        final Map<String, String> served = new ConcurrentSkipListMap<>();
        final Set<String> metadata = new java.util.concurrent.ConcurrentSkipListSet<>();
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Path localRepository;
        private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        private final ExecutorService threads = Executors.newFixedThreadPool(8);
        private HttpServer server;

        Mirror(Path localRepository) {
            this.localRepository = localRepository;
        }

        void start() throws IOException {
            // Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
            // delayed ACKs hold every response about 40 ms (50 s instead of a few for the whole build).
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(threads);
            server.createContext("/maven2/", this::handle);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
        }

        void stop() {
            server.stop(0);
            threads.shutdownNow();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String path = exchange.getRequestURI().getPath().substring("/maven2/".length());
                boolean get = exchange.getRequestMethod().equals("GET");
                if (!get && !exchange.getRequestMethod().equals("HEAD") || !SAFE_PATH.matcher(path).matches()) {
                    errors.add("refused " + exchange.getRequestMethod() + " " + path);
                    exchange.sendResponseHeaders(400, -1);
                    return;
                }
                if (path.contains("maven-metadata")) {
                    metadata.add(path);
                }
                byte[] body = fetch(path);
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                if (get && !CHECKSUM.matcher(path).matches() && !path.contains("maven-metadata")) {
                    served.put(path, sri(body));
                }
                exchange.sendResponseHeaders(200, get ? body.length : -1);
                if (get) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (RuntimeException | IOException e) {
                errors.add("serving " + exchange.getRequestURI() + ": " + e);
                throw e;
            }
        }

        /** The file's bytes, or null when the source does not have it. */
        private byte[] fetch(String path) throws IOException {
            if (localRepository != null) {
                Path file = localRepository.resolve(path);
                return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            }
            try {
                HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(CENTRAL + path))
                        .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    if (response.statusCode() == 404) {
                        return null;
                    }
                    if (response.statusCode() != 200) {
                        throw new IOException("Maven Central answered " + response.statusCode() + " for " + path);
                    }
                    return in.readAllBytes();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while fetching " + path, e);
            }
        }
    }

    static String value(String[] argv, int i, String option) {
        if (i >= argv.length) {
            fail(2, option + " needs a value\n" + USAGE);
        }
        return argv[i];
    }

    /** Ends the run with one message and an exit code (after the temporary directory is deleted). */
    static void fail(int code, String message) {
        throw new Failure(code, message);
    }

    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Failure(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private MavenLock() { }
}
