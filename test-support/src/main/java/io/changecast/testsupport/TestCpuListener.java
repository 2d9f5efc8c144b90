package io.changecast.testsupport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Appends each test class's wall time and CPU time to {@code target/test-cpu.tsv} of the module
 * (the test JVM's working directory): the CPU of the test JVM's threads and of the child processes
 * it reaped meanwhile (child JVMs, browsers), as {@code /proc/self/stat} counts them. On a shared
 * machine wall times move with the load; CPU seconds are what a change to the tests is judged by.
 * Registered through {@code META-INF/services}, so every module with test-support on its test class
 * path writes the file; a line per class, and a {@code (run)} line for the whole JVM (start-up and
 * what closes at the end of the run included).
 */
public final class TestCpuListener implements TestExecutionListener {

  private static final Path FILE = Path.of("target", "test-cpu.tsv");

  private final Map<String, long[]> started = new ConcurrentHashMap<>();

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    write("# class\twall s\tjvm cpu s\tchildren cpu s");
  }

  @Override
  public void executionStarted(TestIdentifier id) {
    if (isClass(id)) {
      started.put(id.getUniqueId(), sample());
    }
  }

  @Override
  public void executionFinished(TestIdentifier id, TestExecutionResult result) {
    long[] start = started.remove(id.getUniqueId());
    if (start != null) {
      line(((ClassSource) id.getSource().orElseThrow()).getClassName(), start, sample());
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    long uptimeNanos = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
    line("(run)", new long[] {System.nanoTime() - uptimeNanos, 0, 0}, sample());
  }

  private static boolean isClass(TestIdentifier id) {
    return id.isContainer() && id.getSource().filter(ClassSource.class::isInstance).isPresent();
  }

  /** {wall nanos, this JVM's CPU nanos, reaped children's CPU nanos}. */
  private static long[] sample() {
    long jvm = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      jvm = os.getProcessCpuTime();
    }
    return new long[] {System.nanoTime(), jvm, childrenCpuNanos()};
  }

  /** cutime + cstime of /proc/self/stat (fields 16 and 17), 0 where there is no such file. */
  private static long childrenCpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is field 3 (state): cutime is field 16, cstime field 17.
      long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void line(String name, long[] start, long[] end) {
    write(
        String.format(
            Locale.ROOT,
            "%s\t%.1f\t%.1f\t%.1f",
            name,
            (end[0] - start[0]) / 1e9,
            (end[1] - start[1]) / 1e9,
            (end[2] - start[2]) / 1e9));
  }

  private static synchronized void write(String line) {
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(
          FILE,
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // A measurement aid: a test run never fails for it.
    }
  }
}
