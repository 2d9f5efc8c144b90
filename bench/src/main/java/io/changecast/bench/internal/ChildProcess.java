package io.changecast.bench.internal;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process the harness started: a JVM on this classpath or a native server. Its stdout lines are
 * queued for {@link #await}; stderr goes to a log file. Closing it destroys its whole tree.
 */
public final class ChildProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  /** Put after the last stdout line: the process closed its stdout (it ended). */
  @SuppressWarnings("StringOperationCanBeSimplified")
  private static final String END = new String("end of stdout");

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
              lines.add(END);
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command}: stdout is read for {@link #await}, stderr goes to {@code stderrLog}.
   */
  public static ChildProcess start(String name, List<String> command, Path stderrLog) {
    return start(
        name,
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile())));
  }

  /** Starts a server whose stdout and stderr both go to {@code logFile}. */
  public static ChildProcess startLogged(String name, List<String> command, Path logFile) {
    return start(
        name,
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())));
  }

  private static ChildProcess start(String name, ProcessBuilder builder) {
    List<String> command = builder.command();
    try {
      log.info("starting {}: {}", name, String.join(" ", command));
      return new ChildProcess(name, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * A system property of JVM options (separated by whitespace) added to every child JVM's, after
   * the scenario's own. Unset in bench runs; the bench's tests set it ({@code test.child.jvm.args}
   * in the pom: C1 only), so their short-lived children, whose figures no test checks, start
   * faster.
   */
  public static final String CHILD_JVM_OPTIONS_PROPERTY = "changecast.bench.child-jvm-options";

  /**
   * A {@code java} command running {@code mainClass} on this JVM's classpath, with {@code
   * jvmOptions} and then those of {@link #CHILD_JVM_OPTIONS_PROPERTY}.
   */
  public static List<String> java(List<String> jvmOptions, String mainClass, String... args) {
    return java(System.getProperty("java.class.path"), jvmOptions, mainClass, args);
  }

  /** {@link #java(List, String, String...)} on another class path. */
  public static List<String> java(
      String classPath, List<String> jvmOptions, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    String extra = System.getProperty(CHILD_JVM_OPTIONS_PROPERTY, "").strip();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /** The process id. */
  public long pid() {
    return process.pid();
  }

  /** Resident memory of the process and its descendants (bytes). */
  public long rssBytes() {
    long total = Environment.rssBytes(process.pid());
    try (Stream<ProcessHandle> children = process.descendants()) {
      total += children.mapToLong(child -> Math.max(0, Environment.rssBytes(child.pid()))).sum();
    }
    return total;
  }

  /** CPU time used by the process and its live descendants (ns), -1 where unknown. */
  public long cpuNanos() {
    long total = Environment.cpuNanos(process.pid());
    if (total < 0) {
      return -1;
    }
    try (Stream<ProcessHandle> children = process.descendants()) {
      total += children.mapToLong(child -> Math.max(0, Environment.cpuNanos(child.pid()))).sum();
    }
    return total;
  }

  /** Sends one command line. */
  public void send(String line) {
    try {
      stdin.write(line + "\n");
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(name + " does not accept commands", e);
    }
  }

  /** Writes one command line without flushing (see {@link #flush}). */
  public void write(String line) {
    try {
      stdin.write(line);
      stdin.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(name + " does not accept commands", e);
    }
  }

  /** Sends the lines {@link #write} buffered. */
  public void flush() {
    try {
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(name + " does not accept commands", e);
    }
  }

  /**
   * The next stdout line starting with {@code prefix} (others are skipped).
   *
   * @throws IllegalStateException when none comes within {@code timeout}, or at once when the
   *     process ends without it
   */
  public String await(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IllegalStateException(
              name + " did not answer '" + prefix + "' within " + timeout + exitNote());
        }
        if (line == END) { // identity: the marker, not a line that reads the same
          lines.add(END); // for later waits too
          // nothing more can come: wait for the process to end (or the deadline, when only its
          // stdout is closed, e.g. sent to a file)
          boolean ended =
              process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          throw new IllegalStateException(
              ended
                  ? name + " ended before answering '" + prefix + "'" + exitNote()
                  : name + " did not answer '" + prefix + "' within " + timeout + " (no stdout)");
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Whether the process still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  private String exitNote() {
    return process.isAlive() ? "" : " (exited with " + process.exitValue() + ")";
  }

  /** Terminates the process tree: politely, then forcibly after 10 s. */
  @Override
  public void close() {
    List<ProcessHandle> tree;
    try (Stream<ProcessHandle> children = process.descendants()) {
      tree = children.toList();
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle child : tree) {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }
}
