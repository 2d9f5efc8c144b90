package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router's {@code main} in a child JVM on this test's class path, its output appended to a log
 * file. {@link #kill()} sends SIGKILL: no shutdown hook, no flush, no transaction abort.
 *
 * <p>The lives of a test JVM share one class-data archive (AppCDS, dynamic): until a life has
 * stopped cleanly each life records the classes it loads ({@code -XX:ArchiveClassesAtExit}, written
 * only by a JVM that exits, so never by a killed one); once one has, the later lives map that
 * archive instead of loading and verifying Kafka Streams' classes from the jars again. The archive
 * changes what a life costs to start, not what it does.
 */
final class RouterProcess implements AutoCloseable {

  /** Exit status of a JVM killed by SIGKILL (128 + 9). */
  static final int SIGKILL_STATUS = 137;

  /** The archive written by this test JVM's first cleanly stopped life; null until then. */
  private static volatile Path archive;

  private static final AtomicInteger LIVES = new AtomicInteger();

  private static final String RUN = Long.toHexString(ProcessHandle.current().pid());

  private final Process process;

  /** Where this life writes its archive at exit; null when it maps {@link #archive}. */
  private final Path writes;

  private RouterProcess(Process process, Path writes) {
    this.process = process;
    this.writes = writes;
  }

  static RouterProcess start(Path configFile, Path logFile, String label) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path shared = archive;
    Path writes =
        shared != null
            ? null
            : Path.of("target", "router-cds", RUN + "-" + LIVES.incrementAndGet() + ".jsa")
                .toAbsolutePath();
    List<String> command =
        List.of(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            // C1 only: a life lasts seconds, so C2 compilations would cost more CPU than they
            // save, and start-up (class loading, JIT) is most of a life on two shared cores.
            "-XX:TieredStopAtLevel=1",
            shared != null
                ? "-XX:SharedArchiveFile=" + shared
                : "-XX:ArchiveClassesAtExit=" + writes,
            "-Xlog:cds=off",
            "-Xlog:cds+dynamic=off",
            "-cp",
            jarsFirst(System.getProperty("java.class.path")),
            ChangecastRouter.class.getName(),
            "--config",
            configFile.toString());
    try {
      if (writes != null) {
        Files.createDirectories(writes.getParent());
      }
      Files.writeString(
          logFile,
          "==== " + label + " at " + Instant.now() + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      // Never outlive the test JVM, even when it is itself killed by a timeout.
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return new RouterProcess(process, writes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the router JVM", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILLs the JVM and returns its exit status once it is gone. */
  int kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux and macOS
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed router exited").isTrue();
    return process.exitValue();
  }

  /** Asks the router to stop (SIGTERM: its shutdown hook closes Kafka Streams). */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(45, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } else if (writes != null && Files.isRegularFile(writes)) {
      archive = writes; // written at exit, complete once the JVM is gone
    }
  }

  /**
   * The class path with its jars before its directories: an archive holds classes of jars only, and
   * only of jars no non-empty directory precedes (the test classes directory comes first).
   */
  private static String jarsFirst(String classPath) {
    List<String> entries = List.of(classPath.split(File.pathSeparator));
    List<String> ordered = new ArrayList<>();
    entries.stream().filter(e -> e.endsWith(".jar")).forEach(ordered::add);
    entries.stream().filter(e -> !e.endsWith(".jar")).forEach(ordered::add);
    return String.join(File.pathSeparator, ordered);
  }
}
