package io.changecast.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The router's {@code main} in a child JVM on this test's class path, its output appended to a log
 * file. {@link #kill()} sends SIGKILL: no shutdown hook, no flush, no transaction abort.
 */
final class RouterProcess implements AutoCloseable {

  /** Exit status of a JVM killed by SIGKILL (128 + 9). */
  static final int SIGKILL_STATUS = 137;

  private final Process process;

  private RouterProcess(Process process) {
    this.process = process;
  }

  static RouterProcess start(Path configFile, Path logFile, String label) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            // C1 only: a life lasts seconds, so C2 compilations would cost more CPU than they
            // save, and start-up (class loading, JIT) is most of a life on two shared cores.
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            ChangecastRouter.class.getName(),
            "--config",
            configFile.toString());
    try {
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
      return new RouterProcess(process);
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
    }
  }
}
