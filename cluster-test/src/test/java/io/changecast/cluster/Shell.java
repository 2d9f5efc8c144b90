package io.changecast.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command (Docker's CLI) and collects its exit status and output. */
final class Shell {

  record Result(List<String> command, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** The output, or an exception naming the command, its status and its error output. */
    String orThrow() {
      if (!ok()) {
        throw new IllegalStateException(
            "`%s` exited with %d: %s".formatted(String.join(" ", command), exit, err.strip()));
      }
      return out;
    }
  }

  private Shell() {}

  /** Runs {@code command} in {@code dir}, killing it when it takes longer than {@code timeout}. */
  static Result run(Path dir, Duration timeout, List<String> command) {
    try {
      Path out = Files.createTempFile("cluster-cmd", ".out");
      Path err = Files.createTempFile("cluster-cmd", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor();
          return new Result(
              command,
              -1,
              Files.readString(out, StandardCharsets.UTF_8),
              "timed out after " + timeout + "; " + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(
            command,
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return new Result(command, -1, "", "cannot run: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  /** For callers that want output files kept, e.g. service logs. */
  static void runTo(Path dir, Duration timeout, List<String> command, Path output) {
    try {
      Files.createDirectories(output.getParent());
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }
}
