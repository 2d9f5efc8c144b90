package io.changecast.bench.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.utils.AppInfoParser;

/** What a result was measured on: the machine, the JVM, the versions, the load. */
public final class Environment {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Environment() {}

  /** Cores, memory, OS and JVM. */
  public static ObjectNode machine() {
    ObjectNode machine = JSON.objectNode();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      machine.put("memoryTotalBytes", os.getTotalMemorySize());
    }
    machine.put("os.name", System.getProperty("os.name"));
    machine.put("os.version", System.getProperty("os.version"));
    machine.put("os.arch", System.getProperty("os.arch"));
    machine.put("java.version", Runtime.version().toString());
    machine.put("java.vm.name", System.getProperty("java.vm.name"));
    machine.put("java.vm.vendor", System.getProperty("java.vm.vendor"));
    machine.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    machine.put("jvmArgs", String.join(" ", jvmArgs()));
    return machine;
  }

  private static List<String> jvmArgs() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments();
  }

  /** The pinned versions of the build, plus the Kafka client version found at runtime. */
  public static ObjectNode versions() {
    Properties pinned = new Properties();
    try (InputStream in = Environment.class.getResourceAsStream("/bench-versions.properties")) {
      if (in != null) {
        pinned.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode versions = JSON.objectNode();
    pinned.stringPropertyNames().stream()
        .sorted()
        .forEach(key -> versions.put(key, pinned.getProperty(key)));
    versions.put("kafka.runtime", AppInfoParser.getVersion());
    return versions;
  }

  /** The 1, 5 and 15 minute load averages (other processes share the cores). */
  public static ObjectNode loadAverage() {
    ObjectNode load = JSON.objectNode();
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      load.put("1m", Double.parseDouble(parts[0]));
      load.put("5m", Double.parseDouble(parts[1]));
      load.put("15m", Double.parseDouble(parts[2]));
    } catch (IOException | RuntimeException e) {
      load.put("1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
    return load;
  }

  /** This process's resident set size in bytes, or -1 where /proc is unavailable. */
  public static long processRssBytes() {
    return rssBytes(ProcessHandle.current().pid());
  }

  /**
   * CPU time (user + system) a process has used, in nanoseconds, or -1 where /proc is unavailable
   * ({@code /proc/PID/stat} fields 14 and 15, in clock ticks of 10 ms).
   */
  public static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name (field 2) is in parentheses and may hold spaces
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A process's resident set size in bytes, or -1 where /proc is unavailable. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return -1;
  }

  /**
   * Machine-wide TCP figures: {@code {socketsInUse, bufferMemBytes, slabBytes}}. Sockets in use
   * count IPv4 and IPv6 ({@code /proc/net/sockstat} and {@code sockstat6}: Java's sockets are
   * IPv6); buffer memory is {@code TCP: mem} (pages of 4 KiB); slab bytes are the kernel's socket
   * structures ({@code TCP}, {@code TCPv6} and {@code sock_inode_cache} slabs of {@code
   * /proc/slabinfo}, readable by root). -1 where unknown.
   */
  public static long[] tcpSockstat() {
    long inUse = sockstat("/proc/net/sockstat", "TCP:", "inuse");
    long inUse6 = sockstat("/proc/net/sockstat6", "TCP6:", "inuse");
    long mem = sockstat("/proc/net/sockstat", "TCP:", "mem");
    return new long[] {
      inUse < 0 ? -1 : inUse + Math.max(0, inUse6), mem < 0 ? -1 : mem * 4096L, socketSlabBytes()
    };
  }

  private static long sockstat(String file, String prefix, String field) {
    try {
      for (String line : Files.readAllLines(Path.of(file))) {
        if (line.startsWith(prefix)) {
          String[] parts = line.trim().split("\\s+");
          for (int i = 1; i + 1 < parts.length; i += 2) {
            if (parts[i].equals(field)) {
              return Long.parseLong(parts[i + 1]);
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static long socketSlabBytes() {
    try {
      long total = 0;
      for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length > 3
            && (parts[0].equals("TCP")
                || parts[0].equals("TCPv6")
                || parts[0].equals("sock_inode_cache"))) {
          total += Long.parseLong(parts[1]) * Long.parseLong(parts[3]);
        }
      }
      return total;
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux, or not root
    }
  }

  /**
   * Heap in use right after a full GC of a JVM of this user: {@code jcmd PID GC.run}, then {@code
   * GC.heap_info}'s first {@code used NK}; -1 when jcmd is unavailable or says something else.
   */
  public static long heapAfterGcBytes(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      run(jcmd.toString(), Long.toString(pid), "GC.run");
      String info = run(jcmd.toString(), Long.toString(pid), "GC.heap_info");
      java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
      return used.find() ? Long.parseLong(used.group(1)) * 1024L : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    process.waitFor();
    return out;
  }
}
