package io.changecast.clients;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end (or a deadline) and keeps what it printed. */
final class ChildProcess {

  private ChildProcess() {}

  /**
   * Runs {@code command} in {@code dir} with {@code environment} added to this process's; a process
   * still running at the deadline is killed and reported with exit code -1.
   */
  static Finished run(
      List<String> command, Path dir, Map<String, String> environment, Duration deadline) {
    try {
      Path out = Files.createTempFile("changecast-client-", ".out");
      Path err = Files.createTempFile("changecast-client-", ".err");
      Files.createDirectories(dir);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().putAll(environment);
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new AssertionError(
            "cannot start " + command.get(0) + " (is it installed?): " + e.getMessage(), e);
      }
      boolean ended = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        process.destroyForcibly().waitFor();
      }
      Finished finished =
          new Finished(
              command,
              ended ? process.exitValue() : -1,
              Files.readAllLines(out, StandardCharsets.UTF_8),
              Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return finished;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  /**
   * A command that ran: its exit code ({@code -1}: killed at the deadline), standard output lines
   * and standard error.
   */
  record Finished(List<String> command, int exitCode, List<String> stdout, String stderr) {

    /** The command, its exit code and output, for failure messages. */
    String describe() {
      return String.join(" ", command)
          + (exitCode == -1 ? "\n(killed at the deadline)" : "\nexit code " + exitCode)
          + "\n--- stdout ---\n"
          + String.join("\n", stdout)
          + "\n--- stderr ---\n"
          + tail(stderr, 4000);
    }

    private static String tail(String text, int max) {
      return text.length() <= max ? text : "…" + text.substring(text.length() - max);
    }
  }
}
