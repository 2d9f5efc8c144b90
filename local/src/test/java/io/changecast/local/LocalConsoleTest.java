package io.changecast.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./changecast local}'s console, as a user sees it: {@code LocalMain} in its own JVM with
 * the production {@code logback.xml} (the test classes, and their {@code logback-test.xml}, are
 * left off its classpath). Until READY it shows the banner and Changecast's own warning only; the
 * embedded Kafka's warnings are in the log file the banner names.
 */
class LocalConsoleTest {

  private static final long READY_WITHIN_SECONDS = 180;
  private static final String CHILD_JVM_OPTIONS = "changecast.test.child-jvm-options";

  @TempDir Path dir;

  @Test
  void theConsoleShowsTheBannerAndRealProblemsOnlyAndNamesTheLogFile() throws Exception {
    Path logFile = dir.resolve("changecast-local.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(childJvmOptions());
    command.addAll(
        List.of(
            "-Dchangecast.log.file=" + logFile,
            "-cp",
            productionClasspath(),
            LocalMain.class.getName()));
    command.addAll(Arrays.asList(LocalArgs.withFreePorts()));
    Process process = new ProcessBuilder(command).start();
    BlockingQueue<String> stdout = lines(process.getInputStream());
    BlockingQueue<String> stderr = lines(process.getErrorStream());
    List<String> banner = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_WITHIN_SECONDS);
      String line;
      do {
        line = stdout.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        assertThat(line).as("a banner line before the deadline; so far " + banner).isNotNull();
        banner.add(line);
      } while (!line.startsWith("READY "));
    } finally {
      process.destroy(); // SIGTERM: the shutdown hook stops the stack
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    List<String> console = new ArrayList<>();
    stderr.drainTo(console);

    assertThat(banner).contains("  Log file:                 " + logFile + "  (all other output)");
    assertThat(console)
        .as("stderr until READY: Changecast's own warnings only")
        .allSatisfy(l -> assertThat(l).matches("\\S+ (WARN|ERROR) +i\\.c\\.\\S+ - .*"));
    assertThat(console)
        .as("a real warning still reaches the console")
        .anySatisfy(l -> assertThat(l).contains("AUTHENTICATION IS DISABLED"));
    String logged = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(logged).contains("INFO  io.changecast.local.LocalStack - Kafka broker at");
    assertThat(logged.lines().filter(l -> l.contains(" WARN ") && !l.contains(" io.changecast.")))
        .as("the embedded Kafka's warnings went to the log file")
        .isNotEmpty();
  }

  /**
   * The test JVMs' options ({@code test.jvm.args}, passed by the build as {@value
   * #CHILD_JVM_OPTIONS}) for the child JVM too: what it prints does not depend on its JIT.
   */
  private static List<String> childJvmOptions() {
    String options = System.getProperty(CHILD_JVM_OPTIONS, "").strip();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  /** This JVM's classpath without the test classes (and their logback-test.xml). */
  private static String productionClasspath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static BlockingQueue<String> lines(InputStream stream) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(read failed: " + e + ")");
              }
            },
            "local-console-reader");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
