package io.changecast.edge.internal.http;

import io.changecast.edge.config.EdgeConfig;
import io.changecast.edge.internal.log.Event;
import io.changecast.edge.internal.log.InMemoryEventLog;
import io.changecast.edge.internal.log.InputPathBenchmark;
import io.changecast.edge.internal.log.Readiness;
import io.changecast.edge.internal.stream.EdgeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What the edge's write path costs per delivery (issue 19, item 4), from the hand-over to the
 * socket: a real {@link EdgeServer} (Jetty, the stream sessions, their writer threads) over an
 * in-memory log, {@code tenants × subscribers} SSE streams read by one NIO client thread, events
 * appended on this thread at a steady rate (as the global thread hands them over). Prints, per
 * round, the CPU time per delivery of the edge's own threads by group (the publishing thread's
 * hand-over, the stream writers, Jetty's pool, the heartbeat/watchdog thread) from the threads' CPU
 * clocks, so it is comparable between builds on a shared machine where wall-clock latency is not;
 * and the latency from append to the client's read (noise under load).
 *
 * <p>Not a test: run it with the test classpath, e.g. {@code java -cp
 * sse-edge/target/test-classes:sse-edge/target/classes:CP
 * io.changecast.edge.internal.http.WritePathBenchmark TENANTS SUBSCRIBERS EVENTS_PER_SECOND SECONDS
 * ROUNDS}.
 */
public final class WritePathBenchmark {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private WritePathBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    int subscribers = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int eventsPerSecond = args.length > 2 ? Integer.parseInt(args[2]) : 25;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    InMemoryEventLog log = new InMemoryEventLog(100);
    Map<String, String> values = new HashMap<>();
    values.put("bootstrap.servers", "unused:9092");
    values.put("http.port", "0");
    values.put("http.host", "127.0.0.1");
    values.put("sse.max-streams-per-tenant", "20000");
    values.put("sse.linger.ms", System.getProperty("linger.ms", "40"));
    EdgeMetrics metrics = new EdgeMetrics();
    EdgeServer server =
        EdgeServer.start(EdgeConfig.fromMap(values), log, Readiness::ready, metrics);
    Clients clients = new Clients(server.port(), tenants, subscribers);
    Thread clientThread = new Thread(clients, "bench-clients");
    clientThread.setDaemon(true);
    clientThread.start();
    clients.awaitOpen();
    long[] ids = new long[tenants];
    double[] least = null;
    for (int round = 0; round <= rounds; round++) { // round 0 warms up
      Map<String, Long> cpuBefore = cpuByGroup();
      long processBefore = PROCESS.getProcessCpuTime();
      Map<String, Long> vmBefore = vmThreads();
      long deliveredBefore = clients.delivered.get();
      double drainsBefore = drains(metrics);
      clients.latency.reset();
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      long sent = 0;
      for (long now; (now = System.nanoTime()) < end; ) {
        long due = (long) (eventsPerSecond * ((now - start) / 1e9));
        for (; sent < due; sent++) {
          int t = (int) (sent % tenants);
          long id = ++ids[t];
          String tenant = "bench-" + t;
          log.append(
              new Event(tenant, id, InputPathBenchmark.envelope(tenant, id, System.nanoTime())));
        }
        LockSupport.parkNanos(1_000_000L);
      }
      long expected = deliveredBefore + sent * subscribers;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (clients.delivered.get() < expected && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000L);
      }
      long delivered = clients.delivered.get() - deliveredBefore;
      double drains = drains(metrics) - drainsBefore;
      Map<String, Long> cpuAfter = cpuByGroup();
      long processNanos = PROCESS.getProcessCpuTime() - processBefore;
      long javaThreadsNanos = 0;
      for (String group : cpuAfter.keySet()) {
        javaThreadsNanos += cpuAfter.get(group) - cpuBefore.getOrDefault(group, 0L);
      }
      // the process less its Java threads: GC, JIT compilers, other VM threads
      double vmPerDelivery = (processNanos - javaThreadsNanos) / 1e3 / Math.max(1, delivered);
      Map<String, Long> vmAfter = vmThreads();
      StringBuilder vm = new StringBuilder();
      for (String group : vmAfter.keySet()) {
        vm.append(
            String.format(
                Locale.ROOT,
                " %s %.2f",
                group,
                (vmAfter.get(group) - vmBefore.getOrDefault(group, 0L)) * 10_000.0 / delivered));
      }
      double[] perDelivery = new double[GROUPS.length + 1];
      StringBuilder line = new StringBuilder();
      for (int g = 0; g < GROUPS.length; g++) {
        long nanos = cpuAfter.getOrDefault(GROUPS[g], 0L) - cpuBefore.getOrDefault(GROUPS[g], 0L);
        perDelivery[g] = nanos / 1e3 / Math.max(1, delivered);
        perDelivery[GROUPS.length] += perDelivery[g];
        line.append(String.format(Locale.ROOT, " %s %.2f", GROUPS[g], perDelivery[g]));
      }
      System.out.printf(
          Locale.ROOT,
          "round %d: %d x %d, %d events/s: %d of %d deliveries; edge CPU µs per delivery %.2f"
              + " (%s), VM threads %.2f (%s); %.2f deliveries per drain, writers %.2f µs per drain;"
              + " latency p50 %.1f p99 %.1f ms%n",
          round,
          tenants,
          subscribers,
          eventsPerSecond,
          delivered,
          sent * subscribers,
          perDelivery[GROUPS.length],
          line.toString().strip(),
          vmPerDelivery,
          vm.toString().strip(),
          delivered / Math.max(1, drains),
          perDelivery[1] * delivered / Math.max(1, drains),
          clients.latency.percentile(0.5) / 1e6,
          clients.latency.percentile(0.99) / 1e6);
      if (round > 0) {
        if (least == null) {
          least = perDelivery;
        } else {
          for (int i = 0; i < least.length; i++) {
            least[i] = Math.min(least[i], perDelivery[i]);
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "least of rounds 1-%d: edge CPU µs per delivery %.2f (%s)%n",
        rounds,
        least[GROUPS.length],
        Arrays.toString(Arrays.copyOf(least, GROUPS.length)));
    server.close();
    System.exit(0);
  }

  /** The edge's drains so far (each at most one write). */
  private static double drains(EdgeMetrics metrics) {
    return metrics.registry().find("changecast.edge.sse.drains").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count)
        .sum();
  }

  private static final String[] GROUPS = {"hand-over", "writer", "jetty", "heartbeat", "other"};

  private static String group(String name) {
    if (name.equals("main")) {
      return "hand-over";
    } else if (name.startsWith("changecast-stream-writer")) {
      return "writer";
    } else if (name.startsWith("changecast-stream-heartbeat")) {
      return "heartbeat";
    } else if (name.startsWith("JettyServerThreadPool") || name.startsWith("qtp")) {
      return "jetty";
    } else if (name.equals("bench-clients")) {
      return "clients";
    }
    return "other";
  }

  /** CPU nanoseconds of the live threads by group (JIT and GC threads are not Java threads). */
  private static Map<String, Long> cpuByGroup() {
    Map<String, Long> byGroup = new HashMap<>();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = THREADS.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        byGroup.merge(group(info.getThreadName()), cpu, Long::sum);
      }
    }
    return byGroup;
  }

  /**
   * CPU clock ticks (10 ms) of the VM's own threads by kind, from {@code /proc/self/task}: GC (G1's
   * workers and refinement), JIT (the compilers), other.
   */
  private static Map<String, Long> vmThreads() {
    Map<String, Long> byKind = new java.util.TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return byKind;
    }
    for (java.io.File task : tasks) {
      try {
        String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
        String kind =
            comm.startsWith("G1 Refine")
                ? "g1-refine"
                : comm.startsWith("GC Thread") || comm.startsWith("G1 ")
                    ? "gc"
                    : comm.startsWith("C1 ") || comm.startsWith("C2 ") ? "jit" : null;
        if (kind == null) {
          continue;
        }
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        byKind.merge(kind, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return byKind;
  }

  /** Latencies in nanoseconds, a log-linear histogram (2^k buckets of 16 steps each). */
  private static final class Histogram {
    private final long[] counts = new long[64 * 16];
    private long total;

    synchronized void record(long nanos) {
      long v = Math.max(1, nanos);
      int exp = 63 - Long.numberOfLeadingZeros(v);
      int sub = exp < 4 ? 0 : (int) ((v >>> (exp - 4)) & 15);
      counts[exp * 16 + sub]++;
      total++;
    }

    synchronized void reset() {
      Arrays.fill(counts, 0);
      total = 0;
    }

    synchronized double percentile(double q) {
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (total > 0 && seen >= Math.ceil(q * total)) {
          int exp = i / 16;
          int sub = i % 16;
          return exp < 4 ? (1L << exp) : (1L << exp) + ((long) sub << (exp - 4));
        }
      }
      return 0;
    }
  }

  /** Every stream on one selector thread: counts {@code data:} lines, records routedAt → read. */
  private static final class Clients implements Runnable {
    private final Selector selector;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong open = new AtomicLong();
    private final int total;
    private final Histogram latency = new Histogram();
    private static final byte[] MARK = "\"routedAt\":".getBytes(StandardCharsets.US_ASCII);

    Clients(int port, int tenants, int subscribers) throws Exception {
      selector = Selector.open();
      total = tenants * subscribers;
      for (int t = 0; t < tenants; t++) {
        for (int s = 0; s < subscribers; s++) {
          SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
          channel.write(
              ByteBuffer.wrap(
                  ("GET /v1/tenants/bench-"
                          + t
                          + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII)));
          channel.configureBlocking(false);
          channel.register(selector, SelectionKey.OP_READ, new int[1]);
        }
      }
    }

    void awaitOpen() {
      while (open.get() < total) {
        LockSupport.parkNanos(10_000_000L);
      }
    }

    @Override
    public void run() {
      ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
      try {
        while (true) {
          selector.select();
          for (SelectionKey key : selector.selectedKeys()) {
            SocketChannel channel = (SocketChannel) key.channel();
            buffer.clear();
            int read = channel.read(buffer);
            if (read < 0) {
              key.cancel();
              channel.close();
              continue;
            }
            long now = System.nanoTime();
            int[] state = (int[]) key.attachment();
            byte[] bytes = buffer.array();
            if (state[0] == 0 && read > 0) {
              state[0] = 1;
              open.incrementAndGet();
            }
            for (int i = 0; i + MARK.length < read; i++) {
              if (bytes[i] == MARK[0] && matches(bytes, i)) {
                long routedAt = 0;
                int j = i + MARK.length;
                while (j < read && bytes[j] >= '0' && bytes[j] <= '9') {
                  routedAt = routedAt * 10 + (bytes[j++] - '0');
                }
                latency.record(now - routedAt);
                delivered.incrementAndGet();
                i = j;
              }
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }

    private static boolean matches(byte[] bytes, int at) {
      for (int k = 1; k < MARK.length; k++) {
        if (bytes[at + k] != MARK[k]) {
          return false;
        }
      }
      return true;
    }
  }
}
