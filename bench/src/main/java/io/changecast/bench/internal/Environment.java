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
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
