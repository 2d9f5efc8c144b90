package io.changecast.clients;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clients' runtimes and packages: mongosh and the Node driver from npm and pymongo in a virtual
 * environment, installed once per version under {@code clients.cache} (the user's cache directory,
 * so a clean build does not install them again; one build at a time installs, under a file lock),
 * and the Java driver 5.x's jars (copied to {@code target/clients} by the build). Versions come
 * from the parent pom. A missing runtime is a failure that says what to install, never a skip.
 */
final class ClientTools {

  private static final Duration INSTALL = Duration.ofMinutes(10);
  private static final Path DIR = Path.of(System.getProperty("clients.dir", "target/clients"));
  private static final Path CACHE =
      Path.of(
          System.getProperty(
              "clients.cache", System.getProperty("user.home") + "/.cache/changecast/clients"));

  private ClientTools() {}

  /**
   * {@code runDir}, where a Node client runs, with a {@code node_modules} link to the installed
   * mongosh and Node driver.
   */
  static Path nodeRunDir(Path runDir) {
    Path modules = runDir.resolve("node_modules");
    try {
      Files.createDirectories(runDir);
      Files.deleteIfExists(modules);
      Files.createSymbolicLink(modules, nodePackages().resolve("node_modules").toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return runDir;
  }

  /** The installed mongosh and Node driver: the directory holding their node_modules. */
  private static synchronized Path nodePackages() {
    requireNode();
    String mongosh = version("clients.mongosh.version");
    String driver = version("clients.node-driver.version");
    Path dir = CACHE.resolve("node-mongosh-" + mongosh + "-mongodb-" + driver);
    return locked(
        () -> {
          if (!installed(dir, "mongosh", mongosh) || !installed(dir, "mongodb", driver)) {
            installNode(dir, mongosh, driver);
          }
          return dir;
        });
  }

  private static void installNode(Path dir, String mongosh, String driver) {
    write(
        dir.resolve("package.json"),
        """
        {"private": true,
         "dependencies": {"mongosh": "%s", "mongodb": "%s"}}
        """
            .formatted(mongosh, driver));
    check(
        ChildProcess.run(
            List.of(
                command("npm", "npm (with Node.js)"),
                "install",
                "--no-audit",
                "--no-fund",
                "--prefer-offline",
                "--omit=optional",
                "--loglevel=error"),
            dir,
            Map.of(),
            INSTALL),
        "npm install of mongosh " + mongosh + " and mongodb " + driver);
  }

  /** mongosh's launcher. */
  static Path mongosh() {
    return nodePackages().resolve("node_modules/.bin/mongosh").toAbsolutePath();
  }

  /** The Python of a virtual environment with pymongo. */
  static synchronized Path python() {
    String pymongo = version("clients.pymongo.version");
    Path venv = CACHE.resolve("python-pymongo-" + pymongo).toAbsolutePath();
    Path python = venv.resolve("bin/python");
    return locked(
        () -> {
          if (!Files.isExecutable(python)
              || !ChildProcess.run(
                      List.of(python.toString(), "-c", "import pymongo; print(pymongo.version)"),
                      CACHE,
                      Map.of(),
                      INSTALL)
                  .stdout()
                  .equals(List.of(pymongo))) {
            installPymongo(venv, pymongo);
          }
          return python;
        });
  }

  private static void installPymongo(Path venv, String pymongo) {
    Path python = venv.resolve("bin/python");
    check(
        ChildProcess.run(
            List.of(
                command("python3", "Python 3 with venv (apt-get install python3-venv)"),
                "-m",
                "venv",
                "--clear",
                venv.toString()),
            CACHE,
            Map.of(),
            INSTALL),
        "python3 -m venv (Debian: apt-get install python3-venv)");
    check(
        ChildProcess.run(
            List.of(
                python.toString(),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "pymongo==" + pymongo),
            CACHE,
            Map.of(),
            INSTALL),
        "pip install pymongo==" + pymongo);
  }

  /**
   * Runs {@code work} holding the cache's lock: another build (another worktree, a parallel CI job)
   * waits instead of installing into the same directory at the same time.
   */
  private static <T> T locked(Supplier<T> work) {
    try {
      Files.createDirectories(CACHE);
      try (FileChannel channel =
          FileChannel.open(
              CACHE.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock held = channel.lock();
        try {
          return work.get();
        } finally {
          held.release();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A held lock on the cache; closing releases it. */
  private record CacheLock(FileChannel channel, FileLock held) implements AutoCloseable {
    @Override
    public void close() {
      try {
        channel.close(); // releases the lock
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The class path of the Java driver 5.x: its jars, copied by the build. */
  static String javaDriverClassPath() {
    Path jars = DIR.resolve("java-driver").toAbsolutePath();
    try (var files = Files.list(jars)) {
      List<Path> found = files.filter(f -> f.toString().endsWith(".jar")).toList();
      if (found.stream()
          .noneMatch(f -> f.getFileName().toString().startsWith("mongodb-driver-sync-5."))) {
        throw new AssertionError("no mongodb-driver-sync 5.x jar in " + jars);
      }
    } catch (IOException e) {
      throw new AssertionError(
          jars
              + " is missing: the build copies the Java driver there (./mvnw -pl client-tests test)",
          e);
    }
    return jars + "/*";
  }

  /** The java launcher of this JVM, for child JVMs. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Fails unless the system node is at least 20.19 (what the Node driver 7 needs). */
  private static void requireNode() {
    ChildProcess.Finished version =
        ChildProcess.run(
            List.of(command("node", "Node.js 20.19 or later (and npm)"), "--version"),
            DIR,
            Map.of(),
            INSTALL);
    checkNodeVersion(String.join("", version.stdout()));
  }

  /** Fails unless {@code version} ({@code node --version}) is 20.19 or later. */
  static void checkNodeVersion(String version) {
    Matcher m = Pattern.compile("v(\\d+)\\.(\\d+)").matcher(version);
    if (!m.lookingAt()) {
      throw new AssertionError("cannot read node's version: " + version);
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major < 20 || (major == 20 && minor < 19)) {
      throw new AssertionError(
          "node "
              + version.strip()
              + " is too old: mongosh and the Node driver 7 need Node.js 20.19 or later");
    }
  }

  /** {@code name} if it is on the PATH, else a failure naming what to install. */
  private static String command(String name, String what) {
    return command(name, what, System.getenv().getOrDefault("PATH", ""));
  }

  /** {@code name} if it is on {@code path}, else a failure naming what to install. */
  static String command(String name, String what, String path) {
    for (String entry : path.split(":")) {
      if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, name))) {
        return name;
      }
    }
    throw new AssertionError(
        name + " is not on the PATH: the client tests need " + what + " (.ci/run installs it)");
  }

  private static boolean installed(Path dir, String module, String version) {
    Path manifest = dir.resolve("node_modules").resolve(module).resolve("package.json");
    try {
      return Files.isRegularFile(manifest)
          && Files.readString(manifest).contains("\"version\": \"" + version + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(ChildProcess.Finished run, String what) {
    if (run.exitCode() != 0) {
      throw new AssertionError(what + " failed:\n" + run.describe());
    }
  }

  private static String version(String property) {
    String version = System.getProperty(property);
    if (version == null || version.isBlank()) {
      throw new AssertionError(property + " is not set: run the tests through Maven");
    }
    return version;
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
