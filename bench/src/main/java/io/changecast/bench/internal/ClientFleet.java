package io.changecast.bench.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Several {@link NioSseClients} processes (each holds up to {@link #PER_PROCESS} connections, well
 * under the 20,000 open files a process may have), each binding its own source address {@code
 * 127.0.0.<2+n>} so that no address runs out of ephemeral ports. At least {@link #MIN_PROCESSES}
 * run, so that reading is never one selector thread's work: a client that reads late adds its own
 * delay to the latency it measures (one C1-compiled client process for 1,000 subscribers put p99 at
 * 0.4 s at 200k deliveries/s where two C2-compiled ones measured 0.07-0.1 s).
 */
public final class ClientFleet implements AutoCloseable {

  /** Connections per client process at most. */
  public static final int PER_PROCESS = 5_000;

  /** Client processes at least, whatever the number of connections. */
  public static final int MIN_PROCESSES = 2;

  /** The client processes' JVM options. */
  public static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

  /** How the clients are described in the results. */
  public static final String DESCRIPTION =
      "lean NIO client (io.changecast.bench.internal.NioSseClients): java.nio SocketChannel +"
          + " one Selector thread per client process, hand-written HTTP/1.1 + chunked + SSE"
          + " parsing, no HTTP library; at least two client processes, up to 5,000 connections"
          + " each, bound to source addresses 127.0.0.2+";

  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(300);
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  private final List<ChildProcess> processes = new ArrayList<>();
  private int connections;

  /** Running totals of the fleet: events, dropped connections, open ones, latency in µs. */
  public record Stats(long events, long dropped, long open, Histogram latencyMicros) {}

  private ClientFleet() {}

  /** Starts enough client processes for {@code maxConnections}. */
  public static ClientFleet start(int maxConnections, Path workDir) {
    ClientFleet fleet = new ClientFleet();
    int count = Math.max(MIN_PROCESSES, (maxConnections + PER_PROCESS - 1) / PER_PROCESS);
    try {
      for (int i = 0; i < count; i++) {
        fleet.processes.add(
            ChildProcess.start(
                "sse-clients-" + i,
                ChildProcess.java(JVM_OPTIONS, NioSseClients.class.getName()),
                workDir.resolve("sse-clients-" + i + ".log")));
      }
      return fleet;
    } catch (RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  /** How many client processes run. */
  public int processes() {
    return processes.size();
  }

  /**
   * Opens {@code count} more streams to {@code target}, connection {@code i} (counting every
   * connection opened so far) on tenant {@code bench-<i % tenants>}; spread over the processes.
   *
   * @return how many opened, failed (after one retry) and needed a retry, with the first error
   */
  public Opened open(SseTarget target, int count, int tenants) {
    int per = count / processes.size();
    int rest = count % processes.size();
    List<Integer> asked = new ArrayList<>();
    for (int p = 0; p < processes.size(); p++) {
      int n = per + (p < rest ? 1 : 0);
      asked.add(n);
      if (n > 0) {
        processes
            .get(p)
            .send(
                String.join(
                    " ",
                    "open",
                    target.host(),
                    Integer.toString(target.port()),
                    Integer.toString(n),
                    Integer.toString(connections),
                    Integer.toString(tenants),
                    target.pathPrefix(),
                    "127.0.0." + (2 + p)));
      }
      connections += n;
    }
    int failed = 0;
    int retried = 0;
    String error = null;
    for (int p = 0; p < processes.size(); p++) {
      if (asked.get(p) == 0) {
        continue;
      }
      String[] answer = processes.get(p).await("opened", OPEN_TIMEOUT).split(" ", 5);
      failed += Integer.parseInt(answer[2]);
      retried += Integer.parseInt(answer[3]);
      if (answer.length > 4 && error == null) {
        error = answer[4];
      }
    }
    return new Opened(count - failed, failed, retried, error);
  }

  /** The outcome of {@link #open}. */
  public record Opened(int ok, int failed, int retried, String firstError) {}

  /** Zeroes the event counts and latencies. */
  public void reset() {
    processes.forEach(p -> p.send("reset"));
    processes.forEach(p -> p.await("ok", ANSWER_TIMEOUT));
  }

  /** The fleet's totals since the last {@link #reset}. */
  public Stats stats() {
    processes.forEach(p -> p.send("stats"));
    long events = 0;
    long dropped = 0;
    long open = 0;
    Histogram merged = new Histogram(3_600_000_000L, 3);
    for (ChildProcess p : processes) {
      String[] parts = p.await("stats", ANSWER_TIMEOUT).split(" ");
      events += Long.parseLong(parts[1]);
      dropped += Long.parseLong(parts[2]);
      open += Long.parseLong(parts[3]);
      try {
        merged.add(
            Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(parts[4])), 0));
      } catch (DataFormatException e) {
        throw new IllegalStateException("bad histogram from a client process", e);
      }
    }
    return new Stats(events, dropped, open, merged);
  }

  /** Total client RSS (for the record: the clients' cost is theirs, not the server's). */
  public long rssBytes() {
    return processes.stream().mapToLong(ChildProcess::rssBytes).sum();
  }

  /** Total CPU time the client processes used so far (ns), -1 where one's is unknown. */
  public long cpuNanos() {
    long total = 0;
    for (ChildProcess process : processes) {
      long cpu = process.cpuNanos();
      if (cpu < 0) {
        return -1;
      }
      total += cpu;
    }
    return total;
  }

  @Override
  public void close() {
    for (ChildProcess p : processes) {
      try {
        p.send("close");
      } catch (RuntimeException e) {
        // already gone
      }
    }
    processes.forEach(ChildProcess::close);
  }
}
